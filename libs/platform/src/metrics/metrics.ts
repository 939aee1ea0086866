import { collectDefaultMetrics, register } from 'prom-client';

/**
 * Process metrics, registered once per process (all services share one registry in embedded mode,
 * where every service's `/metrics` shows the whole process).
 */
export function ensureDefaultMetrics(): void {
  if (register.getSingleMetric('process_cpu_user_seconds_total')) return;
  collectDefaultMetrics();
}
