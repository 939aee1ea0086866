import { loadModelFile } from '../src/model/model-file';
import { PromptClassifier } from '../src/model/prompt-classifier';
import { readJsonl } from './dataset';
import { evaluate } from './metrics';
import { classifierPaths } from './paths';

/**
 * Guards the shipped model against regressions: a few points under the figures measured when it
 * was trained (README, "Prompt classifier"). Retrain and re-measure before moving a floor.
 */
const FLOORS = {
  dev: { accuracy: 0.82, macroF1: 0.81 },
  realistic: { accuracy: 0.88, macroF1: 0.88, recall: 0.75 },
};

describe('the shipped classifier model', () => {
  const paths = classifierPaths();
  const classifier = new PromptClassifier(loadModelFile(paths.model));
  const run = (file: string) => evaluate(readJsonl(file).map((e) => ({ truth: e.label, predicted: classifier.labelOf(e.prompt) })));

  it('keeps its accuracy on the public dev set', () => {
    const result = run(paths.publicDev);
    expect(result.count).toBeGreaterThan(3_000);
    expect(result.accuracy).toBeGreaterThanOrEqual(FLOORS.dev.accuracy);
    expect(result.macroF1).toBeGreaterThanOrEqual(FLOORS.dev.macroF1);
  });

  it('keeps its accuracy and every label recall on the hand-written realistic evaluation set', () => {
    const result = run(paths.realisticEval);
    expect(result.count).toBeGreaterThanOrEqual(200);
    expect(result.accuracy).toBeGreaterThanOrEqual(FLOORS.realistic.accuracy);
    expect(result.macroF1).toBeGreaterThanOrEqual(FLOORS.realistic.macroF1);
    for (const label of result.perLabel) expect({ label: label.label, recall: label.recall >= FLOORS.realistic.recall }).toEqual({ label: label.label, recall: true });
  });

  it('has evaluation prompts that are not in its training prompts', () => {
    const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
    const train = new Set(readJsonl(paths.realisticTrain).map((e) => norm(e.prompt)));
    expect(readJsonl(paths.realisticEval).filter((e) => train.has(norm(e.prompt)))).toEqual([]);
  });
});
