/**
 * npm run bench:classifier — time of one classification (features + model + complexity) over
 * realistic prompts and prompts padded to 1,000–8,000 characters; prints p50/p99/max and memory.
 */
import type { ClassifyRequest } from '@iir/contracts';
import { loadModelFile } from '../src/model/model-file';
import { PromptClassifier } from '../src/model/prompt-classifier';
import { readJsonl } from './dataset';
import { classifierPaths } from './paths';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 20);

function requests(prompts: string[]): ClassifyRequest[] {
  const out: ClassifyRequest[] = prompts.map((content) => ({ messages: [{ role: 'user', content }] }));
  // Long inputs: several prompts pasted together, cut at 1,000 to 8,000 characters.
  const joined = prompts.join('\n\n');
  for (let size = 1_000; size <= 8_000; size += 1_000) {
    for (let offset = 0; offset < 20; offset++) {
      const start = (offset * 7_919) % Math.max(joined.length - size, 1);
      out.push({ messages: [{ role: 'user', content: joined.slice(start, start + size) }] });
    }
  }
  return out;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

function main(): void {
  const paths = classifierPaths();
  const before = process.memoryUsage();
  const loadStart = performance.now();
  const classifier = new PromptClassifier(loadModelFile(process.env['CLASSIFIER_MODEL_PATH'] ?? paths.model));
  const loadMs = performance.now() - loadStart;
  const batch = requests(readJsonl(paths.realisticEval).map((e) => e.prompt));
  for (const r of batch) classifier.classify(r); // warm-up
  const all: number[] = [];
  const long: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const r of batch) {
      const t = performance.now();
      classifier.classify(r);
      const ms = performance.now() - t;
      all.push(ms);
      if ((r.messages[0]?.content.length ?? 0) >= 4_000) long.push(ms);
    }
  }
  const memory = process.memoryUsage();
  const report = (name: string, values: number[]): string => {
    const sorted = Float64Array.from(values).sort();
    const f = (x: number): string => x.toFixed(3);
    return `${name}: n=${values.length} p50=${f(percentile(sorted, 0.5))} ms p99=${f(percentile(sorted, 0.99))} ms max=${f(sorted[sorted.length - 1] ?? 0)} ms`;
  };
  const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  process.stdout.write(
    [
      `model loaded in ${loadMs.toFixed(0)} ms`,
      report('all prompts (2 to 8,000 chars)', all),
      report('prompts of 4,000-8,000 chars', long),
      `memory: rss ${mb(memory.rss)} (before the model ${mb(before.rss)}), heap used ${mb(memory.heapUsed)}, array buffers ${mb(memory.arrayBuffers)}`,
    ].join('\n') + '\n',
  );
}

main();
