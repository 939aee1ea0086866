import { counter, gauge, histogram } from '@iir/platform';
import { register } from 'prom-client';

/** Seconds; from 5 ms (a cache hit) to 2 min (a long generation). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * The gateway's request metrics on prom-client's default registry (several gateways may share a
 * process: the first creates each metric, the others reuse it). Labels come from bounded sets only:
 * registry model names (never what a client typed for an unknown model), provider names, statuses.
 */
export class GatewayMetrics {
  readonly requests = counter({ name: 'iir_gateway_requests_total', help: 'Finished requests by model, target, HTTP status and cache result.', labelNames: ['model', 'target', 'status', 'cache'] });
  readonly duration = histogram({ name: 'iir_gateway_request_duration_seconds', help: 'Whole request duration, from arrival to the last byte.', labelNames: ['model', 'stream'], buckets: LATENCY_BUCKETS });
  readonly ttft = histogram({ name: 'iir_gateway_ttft_seconds', help: 'Time to the first byte of the answer (the first streamed token).', labelNames: ['model'], buckets: LATENCY_BUCKETS });
  readonly upstreamDuration = histogram({ name: 'iir_gateway_upstream_duration_seconds', help: 'One upstream attempt, until its answer starts.', labelNames: ['provider', 'outcome'], buckets: LATENCY_BUCKETS });
  readonly attempts = counter({ name: 'iir_gateway_upstream_attempts_total', help: 'Upstream attempts by provider and outcome.', labelNames: ['provider', 'outcome'] });
  readonly retries = counter({ name: 'iir_gateway_retries_total', help: 'Retries of the same target after a retryable failure.', labelNames: ['provider'] });
  readonly fallbacks = counter({ name: 'iir_gateway_fallbacks_total', help: 'Requests that moved on to a later target of their plan.', labelNames: ['model'] });
  readonly tokens = counter({ name: 'iir_gateway_tokens_total', help: 'Tokens by model and direction (prompt, completion), as the upstream counted them.', labelNames: ['model', 'direction'] });
  readonly inFlight = gauge({ name: 'iir_gateway_in_flight_requests', help: 'Requests being served now.' });
}

let shared: GatewayMetrics | undefined;

export function gatewayMetrics(): GatewayMetrics {
  // Re-created when a test cleared the registry.
  if (!shared || !register.getSingleMetric('iir_gateway_requests_total')) shared = new GatewayMetrics();
  return shared;
}

export type AttemptOutcome = 'ok' | 'error' | 'rate_limited' | 'timeout';
