import { PROMPT_LABELS, type PromptLabel } from '@iir/contracts';
import { FEATURE_GROUPS, groupScales, type FeatureBuffer } from './features';

const LABELS = PROMPT_LABELS.length;

/**
 * A multinomial linear model over hashed features: `logit[l] = bias[l] + scale[l] * Σ w[bucket][l] * x`.
 * Weights are laid out bucket-major (the 8 labels of a bucket side by side) so one feature touches
 * one cache line. They may be float (training) or int8 with a per-label scale (the shipped file).
 */
export class LinearModel {
  readonly labels: readonly PromptLabel[] = PROMPT_LABELS;

  constructor(
    readonly bucketCount: number,
    readonly weights: Float32Array | Int8Array,
    readonly labelScales: Float32Array,
    readonly bias: Float32Array,
  ) {
    if (weights.length !== bucketCount * LABELS) throw new Error(`expected ${bucketCount * LABELS} weights, got ${weights.length}`);
    if (labelScales.length !== LABELS || bias.length !== LABELS) throw new Error(`expected ${LABELS} scales and biases`);
  }

  static zeros(bucketCount: number): LinearModel {
    return new LinearModel(bucketCount, new Float32Array(bucketCount * LABELS), new Float32Array(LABELS).fill(1), new Float32Array(LABELS));
  }

  /** Writes the logits of `features` into `out` (length 8) and returns it. */
  logits(features: FeatureBuffer, out: Float64Array = new Float64Array(LABELS)): Float64Array {
    out.fill(0);
    const scales = groupScales(features);
    const w = this.weights;
    const buckets = features.buckets;
    let start = 0;
    for (let g = 0; g < FEATURE_GROUPS.length; g++) {
      const end = features.ends[g] ?? start;
      const x = scales[g] ?? 0;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
      for (let i = start; i < end; i++) {
        const base = (buckets[i] ?? 0) * LABELS;
        a0 += w[base] ?? 0;
        a1 += w[base + 1] ?? 0;
        a2 += w[base + 2] ?? 0;
        a3 += w[base + 3] ?? 0;
        a4 += w[base + 4] ?? 0;
        a5 += w[base + 5] ?? 0;
        a6 += w[base + 6] ?? 0;
        a7 += w[base + 7] ?? 0;
      }
      out[0] = (out[0] ?? 0) + a0 * x;
      out[1] = (out[1] ?? 0) + a1 * x;
      out[2] = (out[2] ?? 0) + a2 * x;
      out[3] = (out[3] ?? 0) + a3 * x;
      out[4] = (out[4] ?? 0) + a4 * x;
      out[5] = (out[5] ?? 0) + a5 * x;
      out[6] = (out[6] ?? 0) + a6 * x;
      out[7] = (out[7] ?? 0) + a7 * x;
      start = end;
    }
    for (let l = 0; l < LABELS; l++) out[l] = (out[l] ?? 0) * (this.labelScales[l] ?? 1) + (this.bias[l] ?? 0);
    return out;
  }
}

/** Turns logits into probabilities in place (numerically stable) and returns them. */
export function softmax(logits: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  let sum = 0;
  for (let l = 0; l < logits.length; l++) {
    const e = Math.exp((logits[l] ?? 0) - max);
    logits[l] = e;
    sum += e;
  }
  for (let l = 0; l < logits.length; l++) logits[l] = (logits[l] ?? 0) / sum;
  return logits;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
  return best;
}
