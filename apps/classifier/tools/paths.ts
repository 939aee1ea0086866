import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root: the nearest folder above this file (or its bundle) holding `nx.json`. */
export function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

/**
 * Where the classifier's data and model live. The public developer data are vendored in
 * `apps/classifier/data/public` (with their sources and licences in its README); `CLASSIFIER_DATA_DIR` points elsewhere.
 */
export function classifierPaths(env: Record<string, string | undefined> = process.env): {
  publicTrain: string;
  publicDev: string;
  realisticTrain: string;
  realisticEval: string;
  model: string;
} {
  const root = repoRoot();
  const shared = env['CLASSIFIER_DATA_DIR'] ?? path.join(root, 'apps/classifier/data/public');
  return {
    publicTrain: path.join(shared, 'train.jsonl'),
    publicDev: path.join(shared, 'dev.jsonl'),
    realisticTrain: path.join(root, 'apps/classifier/data/realistic-train.jsonl'),
    realisticEval: path.join(root, 'apps/classifier/data/realistic-eval.jsonl'),
    model: env['CLASSIFIER_MODEL_OUT'] ?? path.join(root, 'apps/classifier/model/classifier-model.json'),
  };
}
