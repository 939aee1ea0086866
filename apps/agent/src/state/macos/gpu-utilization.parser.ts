import type { PartialState } from '../machine-state';

/**
 * `ioreg -r -d 1 -c IOAccelerator`: each GPU's `"PerformanceStatistics" = {…"Device Utilization %"=12…}`.
 * Apple silicon and recent Intel/AMD drivers publish it; the busiest GPU is reported. No key → unknown.
 */
export function parseGpuUtilization(output: string): PartialState {
  const values = [...output.matchAll(/"Device Utilization %"\s*=\s*(\d+)/g)]
    .map((match) => Number(match[1]))
    .filter((value) => value >= 0 && value <= 100);
  return values.length === 0 ? {} : { gpu_util_percent: Math.max(...values) };
}
