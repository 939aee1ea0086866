import type { PartialState } from './machine-state';
import { parseDecimal, round2 } from './units';

/** The query whose output `parseNvidiaSmi` reads: one CSV line per GPU, no header, no units. */
export const NVIDIA_SMI_STATE_ARGS = [
  '--query-gpu=utilization.gpu,memory.used,memory.total',
  '--format=csv,noheader,nounits',
] as const;

/**
 * `45, 3012, 24564` per GPU (percent, MiB, MiB). The busiest GPU's utilisation and the most free
 * memory on any one GPU (a model loads onto one). `[N/A]` fields are skipped.
 */
export function parseNvidiaSmi(output: string): PartialState {
  const gpus = output
    .split('\n')
    .map((line) => line.split(',').map((cell) => parseDecimal(cell)))
    .filter((cells) => cells.length === 3);
  const utils = gpus.map(([util]) => util).filter((value): value is number => value !== undefined && value >= 0 && value <= 100);
  const free = gpus
    .map(([, used, total]) => (used !== undefined && total !== undefined && total > 0 ? total - used : undefined))
    .filter((value): value is number => value !== undefined && value >= 0);

  const state: PartialState = {};
  if (utils.length > 0) state.gpu_util_percent = Math.max(...utils);
  if (free.length > 0) state.gpu_memory_free_gb = round2(Math.max(...free) / 1024);
  return state;
}
