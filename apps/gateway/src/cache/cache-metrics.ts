import { Counter, register } from 'prom-client';

/**
 * The cache's counters on prom-client's default registry. Several gateways may run in one process
 * (embedded mode, tests): the first creates a counter, the others reuse it.
 */
export interface CacheMetrics {
  requests: Counter<'result'>;
  errors: Counter;
}

export function cacheMetrics(): CacheMetrics {
  return {
    requests: counter('iir_gateway_cache_requests_total', 'Chat requests by response cache result (hit, miss, bypass).', ['result']),
    errors: counter('iir_gateway_cache_errors_total', 'Response cache store failures (Redis unreachable or slow, unreadable entry).', []),
  };
}

function counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
  const existing = register.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter<L>({ name, help, labelNames });
}
