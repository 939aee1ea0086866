import { PROMPT_LABELS, type PromptLabel } from '@iir/contracts';
import { FEATURE_GROUPS, FeatureBuffer, groupScales } from '../src/model/features';
import { LinearModel, softmax } from '../src/model/linear-model';
import { measure } from '../src/model/signals';
import { textWindow } from '../src/model/text-window';
import { seededRandom, shuffle } from './random';

/** A training row with its features computed once. */
interface Row {
  buckets: Int32Array;
  values: Float32Array;
  label: number;
  weight: number;
}

export interface TrainingSettings {
  bucketCount: number;
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
}

export interface WeightedExample {
  prompt: string;
  label: PromptLabel;
  weight: number;
}

const LABELS = PROMPT_LABELS.length;

/** Features of a text as a sparse vector (bucket, value), as the model sees it. */
export function featurize(buffer: FeatureBuffer, prompt: string): { buckets: Int32Array; values: Float32Array } {
  const window = textWindow(prompt);
  buffer.extract(window, measure(window));
  const scales = groupScales(buffer);
  const buckets = buffer.buckets.slice(0, buffer.length);
  const values = new Float32Array(buffer.length);
  let start = 0;
  for (let g = 0; g < FEATURE_GROUPS.length; g++) {
    const end = buffer.ends[g] ?? start;
    values.fill(scales[g] ?? 0, start, end);
    start = end;
  }
  return { buckets, values };
}

/**
 * Multinomial logistic regression by AdaGrad SGD over shuffled rows (seeded), with an L2 penalty on
 * the weights a row touches. Sample weights let hand-written realistic prompts count more than the
 * biased public data.
 */
export function train(examples: readonly WeightedExample[], settings: TrainingSettings, log: (line: string) => void): LinearModel {
  const buffer = new FeatureBuffer(settings.bucketCount);
  const rows: Row[] = examples.map((e) => ({ ...featurize(buffer, e.prompt), label: PROMPT_LABELS.indexOf(e.label), weight: e.weight }));
  const model = LinearModel.zeros(settings.bucketCount);
  const w = model.weights as Float32Array;
  const g2 = new Float32Array(w.length);
  const bias = model.bias;
  const biasG2 = new Float64Array(LABELS);
  const random = seededRandom(settings.seed);
  const p = new Float64Array(LABELS);
  const grad = new Float64Array(LABELS);
  const lr = settings.learningRate;
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    shuffle(rows, random);
    let loss = 0;
    let weightSum = 0;
    for (const row of rows) {
      p.fill(0);
      for (let i = 0; i < row.buckets.length; i++) {
        const base = (row.buckets[i] ?? 0) * LABELS;
        const x = row.values[i] ?? 0;
        for (let l = 0; l < LABELS; l++) p[l] = (p[l] ?? 0) + (w[base + l] ?? 0) * x;
      }
      for (let l = 0; l < LABELS; l++) p[l] = (p[l] ?? 0) + (bias[l] ?? 0);
      softmax(p);
      loss -= row.weight * Math.log(Math.max(p[row.label] ?? 0, 1e-12));
      weightSum += row.weight;
      for (let l = 0; l < LABELS; l++) grad[l] = row.weight * ((p[l] ?? 0) - (l === row.label ? 1 : 0));
      for (let i = 0; i < row.buckets.length; i++) {
        const base = (row.buckets[i] ?? 0) * LABELS;
        const x = row.values[i] ?? 0;
        for (let l = 0; l < LABELS; l++) {
          const k = base + l;
          const wk = w[k] ?? 0;
          const g = (grad[l] ?? 0) * x + settings.l2 * wk;
          const acc = (g2[k] ?? 0) + g * g;
          g2[k] = acc;
          w[k] = wk - (lr * g) / (Math.sqrt(acc) + 1e-8);
        }
      }
      for (let l = 0; l < LABELS; l++) {
        const g = grad[l] ?? 0;
        biasG2[l] = (biasG2[l] ?? 0) + g * g;
        bias[l] = (bias[l] ?? 0) - (lr * g) / (Math.sqrt(biasG2[l] ?? 0) + 1e-8);
      }
    }
    log(`epoch ${epoch + 1}/${settings.epochs}: weighted log-loss ${(loss / weightSum).toFixed(4)}`);
  }
  return model;
}
