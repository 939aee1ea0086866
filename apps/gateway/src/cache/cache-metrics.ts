import { counter } from '@iir/platform';
import type { Counter } from 'prom-client';

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
    requests: counter({ name: 'iir_gateway_cache_requests_total', help: 'Chat requests by response cache result (hit, miss, bypass).', labelNames: ['result'] }),
    errors: counter({ name: 'iir_gateway_cache_errors_total', help: 'Response cache store failures (Redis unreachable or slow, unreadable entry).' }),
  };
}
