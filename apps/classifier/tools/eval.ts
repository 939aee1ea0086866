/**
 * npm run classifier:eval [-- file.jsonl ...] — accuracy, macro-F1, per-label precision/recall and
 * the confusion matrix of the shipped model. With no file: the public dev set and the hand-written
 * realistic evaluation set. The last line is `accuracy=… macro_f1=…` of the last file.
 */
import { loadModelFile } from '../src/model/model-file';
import { PromptClassifier } from '../src/model/prompt-classifier';
import { readJsonl } from './dataset';
import { evaluate, formatEvaluation, summaryLine, type Evaluation } from './metrics';
import { classifierPaths } from './paths';

export function evaluateFile(classifier: PromptClassifier, file: string): Evaluation {
  return evaluate(readJsonl(file).map((e) => ({ truth: e.label, predicted: classifier.labelOf(e.prompt) })));
}

function main(): void {
  const paths = classifierPaths();
  const files = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const targets = files.length > 0 ? files : [paths.publicDev, paths.realisticEval];
  const classifier = new PromptClassifier(loadModelFile(process.env['CLASSIFIER_MODEL_PATH'] ?? paths.model));
  let last: Evaluation | undefined;
  for (const file of targets) {
    last = evaluateFile(classifier, file);
    process.stdout.write(`${formatEvaluation(file, last)}\n${summaryLine(last)}\n\n`);
  }
  if (last) process.stdout.write(`${summaryLine(last)}\n`);
}

main();
