import type { PartialState } from '../machine-state';
import { bytesToGb } from '../units';

/**
 * `/proc/meminfo`: `MemAvailable:` (the kernel's estimate of what can be allocated without
 * swapping, not `MemFree`) and `MemTotal:`, both in kB (KiB).
 */
export function parseMeminfo(text: string): PartialState {
  const state: PartialState = {};
  const available = kib(text, 'MemAvailable');
  const total = kib(text, 'MemTotal');
  if (available !== undefined) state.memory_free_gb = bytesToGb(available * 1024);
  if (total !== undefined && total > 0) state.memory_total_gb = bytesToGb(total * 1024);
  return state;
}

function kib(text: string, key: string): number | undefined {
  const value = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(text)?.[1];
  return value === undefined ? undefined : Number(value);
}
