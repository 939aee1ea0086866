import type { PartialState } from '../machine-state';
import { bytesToGb } from '../units';

/** At or above this free percentage memory is `normal`; at or above `WARN`, `warn`; else `critical`. */
export const MEMORY_FREE_NORMAL_PERCENT = 25;
export const MEMORY_FREE_WARN_PERCENT = 10;

/**
 * `memory_pressure` (no arguments, a one-shot report): `The system has 17179869184 (…)` gives
 * the total, `System-wide memory free percentage: 63%` what the system counts as free (free plus
 * reclaimable). Free GB is total × that percentage. The level from the percentage is our
 * threshold (≥25% normal, ≥10% warn, else critical), used only when the kernel's
 * `kern.memorystatus_vm_pressure_level` cannot be read.
 */
export function parseMemoryPressure(output: string): PartialState {
  const state: PartialState = {};
  const totalBytes = /The system has (\d+)/.exec(output)?.[1];
  const total = totalBytes === undefined ? undefined : Number(totalBytes);
  if (total !== undefined && total > 0) state.memory_total_gb = bytesToGb(total);

  const freeText = /System-wide memory free percentage:\s*(\d{1,3})%/.exec(output)?.[1];
  const free = freeText === undefined ? undefined : Number(freeText);
  if (free === undefined || free > 100) return state;

  state.memory_pressure =
    free >= MEMORY_FREE_NORMAL_PERCENT ? 'normal' : free >= MEMORY_FREE_WARN_PERCENT ? 'warn' : 'critical';
  if (total !== undefined && total > 0) state.memory_free_gb = bytesToGb((total * free) / 100);
  return state;
}
