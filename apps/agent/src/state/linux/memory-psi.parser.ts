import type { PartialState } from '../machine-state';
import { parseDecimal } from '../units';

/**
 * Thresholds on PSI `some avg10` (percent of the last 10 s in which at least one task stalled on
 * memory): below 10 normal, below 40 warn, else critical. Under 10% is reclaim the user does not
 * feel; 40% is where systemd-oomd's and Android lmkd's defaults start acting on memory stalls.
 */
export const PSI_WARN_PERCENT = 10;
export const PSI_CRITICAL_PERCENT = 40;

/** `/proc/pressure/memory`: `some avg10=0.00 avg60=0.00 avg300=0.00 total=0`. */
export function parseMemoryPsi(text: string): PartialState {
  const avg10 = parseDecimal(/^some\s+avg10=([\d.]+)/m.exec(text)?.[1]);
  if (avg10 === undefined || avg10 < 0 || avg10 > 100) return {};
  if (avg10 < PSI_WARN_PERCENT) return { memory_pressure: 'normal' };
  if (avg10 < PSI_CRITICAL_PERCENT) return { memory_pressure: 'warn' };
  return { memory_pressure: 'critical' };
}
