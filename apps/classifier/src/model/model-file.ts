import { PROMPT_LABELS } from '@iir/contracts';
import { readFileSync } from 'node:fs';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { z } from 'zod';
import { FEATURE_VERSION } from './features';
import { LinearModel } from './linear-model';

const FORMAT = 'iir-prompt-classifier/1';

/** The trained model as stored in the repository (`apps/classifier/model/classifier-model.json`). */
const modelFileSchema = z.object({
  format: z.literal(FORMAT),
  featureVersion: z.literal(FEATURE_VERSION),
  labels: z.array(z.string()).refine((l) => l.join() === PROMPT_LABELS.join(), `labels must be ${PROMPT_LABELS.join(', ')}`),
  bucketCount: z.number().int().positive(),
  labelScales: z.array(z.number()).length(PROMPT_LABELS.length),
  bias: z.array(z.number()).length(PROMPT_LABELS.length),
  /** int8 weights, bucket-major, raw-deflated, base64. */
  weights: z.string(),
  /** How it was trained (data sizes, settings): informative only. */
  training: z.record(z.unknown()).optional(),
});

export type ModelFile = z.infer<typeof modelFileSchema>;

/** Quantises float weights to int8 with one scale per label. */
export function encodeModel(model: LinearModel, training: Record<string, unknown>): ModelFile {
  const labels = PROMPT_LABELS.length;
  const scales = new Float32Array(labels);
  for (let i = 0; i < model.weights.length; i++) {
    const l = i % labels;
    scales[l] = Math.max(scales[l] ?? 0, Math.abs(model.weights[i] ?? 0) * (model.labelScales[l] ?? 1));
  }
  for (let l = 0; l < labels; l++) scales[l] = (scales[l] || 1) / 127;
  const q = new Int8Array(model.weights.length);
  for (let i = 0; i < q.length; i++) {
    const l = i % labels;
    q[i] = Math.round(((model.weights[i] ?? 0) * (model.labelScales[l] ?? 1)) / (scales[l] ?? 1));
  }
  return {
    format: FORMAT,
    featureVersion: FEATURE_VERSION,
    labels: [...PROMPT_LABELS],
    bucketCount: model.bucketCount,
    labelScales: [...scales],
    bias: [...model.bias],
    weights: deflateRawSync(Buffer.from(q.buffer), { level: 9 }).toString('base64'),
    training,
  };
}

export function decodeModel(json: unknown): LinearModel {
  const file = modelFileSchema.parse(json);
  const raw = inflateRawSync(Buffer.from(file.weights, 'base64'));
  const weights = new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  return new LinearModel(file.bucketCount, weights, Float32Array.from(file.labelScales), Float32Array.from(file.bias));
}

/** Reads and checks a model file; the message names the file when it is missing or wrong. */
export function loadModelFile(path: string): LinearModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the classifier model at ${path}: ${(error as Error).message}`);
  }
  try {
    return decodeModel(JSON.parse(text));
  } catch (error) {
    throw new Error(`the classifier model at ${path} is not valid: ${(error as Error).message}`);
  }
}
