/**
 * npm run classifier:train — builds apps/classifier/model/classifier-model.json from the public
 * developer data (apps/classifier/data/public/train.jsonl) and the hand-written realistic prompts
 * (apps/classifier/data/realistic-train.jsonl). Deterministic: same data and settings, same file.
 *
 *   --cv=5   k-fold cross-validation over the realistic prompts instead (no model written), to tune
 *            settings without looking at the realistic evaluation set.
 */
import { PROMPT_LABELS, type PromptLabel } from '@iir/contracts';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PromptClassifier } from '../src/model/prompt-classifier';
import { decodeModel, encodeModel } from '../src/model/model-file';
import { isContradictory, readJsonl, type Example } from './dataset';
import { evaluate, formatEvaluation, summaryLine } from './metrics';
import { classifierPaths } from './paths';
import { seededRandom, shuffle } from './random';
import { train, type TrainingSettings, type WeightedExample } from './trainer';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [key = '', value = 'true'] = a.replace(/^--/, '').split('=');
    return [key, value];
  }),
);
const num = (key: string, fallback: number): number => (args[key] === undefined ? fallback : Number(args[key]));

const settings: TrainingSettings = {
  bucketCount: 2 ** num('bits', 18),
  epochs: num('epochs', 6),
  learningRate: num('lr', 0.3),
  l2: num('l2', 1e-4),
  seed: num('seed', 20240611),
};
/** Public rows kept per label (the public data are biased; more of them teaches the bias). */
const publicPerLabel = num('public-per-label', 800);
/** How much one realistic prompt counts against one public row. */
const realisticWeight = num('realistic-weight', 15);

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function publicExamples(file: string): WeightedExample[] {
  const random = seededRandom(settings.seed);
  const kept = readJsonl(file).filter((e) => !isContradictory(e));
  const byLabel = new Map<PromptLabel, Example[]>(PROMPT_LABELS.map((l) => [l, []]));
  for (const e of kept) byLabel.get(e.label)?.push(e);
  return PROMPT_LABELS.flatMap((label) =>
    shuffle(byLabel.get(label) ?? [], random)
      .slice(0, publicPerLabel)
      .map((e) => ({ prompt: e.prompt, label, weight: 1 })),
  );
}

function realisticExamples(examples: Example[]): WeightedExample[] {
  return examples.map((e) => ({ prompt: e.prompt, label: e.label, weight: realisticWeight }));
}

function crossValidate(folds: number, publicRows: WeightedExample[], realistic: Example[]): void {
  const pairs: Array<{ truth: PromptLabel; predicted: PromptLabel }> = [];
  const order = shuffle([...realistic], seededRandom(settings.seed + 1));
  for (let k = 0; k < folds; k++) {
    const held = order.filter((_, i) => i % folds === k);
    const rest = order.filter((_, i) => i % folds !== k);
    const model = train([...publicRows, ...realisticExamples(rest)], { ...settings, epochs: settings.epochs }, () => undefined);
    const classifier = new PromptClassifier(decodeModel(encodeModel(model, {})));
    for (const e of held) {
      const predicted = classifier.labelOf(e.prompt);
      pairs.push({ truth: e.label, predicted });
      if (args['show-errors'] !== undefined && predicted !== e.label) {
        log(`  ${e.label} → ${predicted}: ${JSON.stringify(e.prompt.slice(0, 120))}`);
      }
    }
    log(`fold ${k + 1}/${folds} done`);
  }
  const result = evaluate(pairs);
  process.stdout.write(`${formatEvaluation(`realistic-train, ${folds}-fold cross-validation`, result)}\n${summaryLine(result)}\n`);
}

function main(): void {
  const started = Date.now();
  const paths = classifierPaths();
  const publicRows = publicExamples(paths.publicTrain);
  const realistic = readJsonl(paths.realisticTrain);
  log(`public rows ${publicRows.length} (≤ ${publicPerLabel} per label), realistic rows ${realistic.length} × ${realisticWeight}`);
  if (args['cv'] !== undefined) return crossValidate(num('cv', 5), publicRows, realistic);
  const model = train([...publicRows, ...realisticExamples(realistic)], settings, log);
  const file = encodeModel(model, {
    publicTrain: path.basename(paths.publicTrain),
    publicRows: publicRows.length,
    realisticRows: realistic.length,
    realisticWeight,
    publicPerLabel,
    ...settings,
  });
  mkdirSync(path.dirname(paths.model), { recursive: true });
  writeFileSync(paths.model, `${JSON.stringify(file)}\n`);
  const classifier = new PromptClassifier(decodeModel(file));
  const fit = evaluate(realistic.map((e) => ({ truth: e.label, predicted: classifier.labelOf(e.prompt) })));
  log(`wrote ${paths.model} (${(JSON.stringify(file).length / 1e6).toFixed(2)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  log(`fit on realistic-train (not a test): ${summaryLine(fit)}`);
}

main();
