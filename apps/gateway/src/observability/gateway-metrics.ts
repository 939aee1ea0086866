import { Counter, Gauge, Histogram, register } from 'prom-client';

/** Seconds; from 5 ms (a cache hit) to 2 min (a long generation). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * The gateway's request metrics on prom-client's default registry (several gateways may share a
 * process: the first creates each metric, the others reuse it). Labels come from bounded sets only:
 * registry model names (never what a client typed for an unknown model), provider names, statuses.
 */
export class GatewayMetrics {
  readonly requests = counter('iir_gateway_requests_total', 'Finished requests by model, target, HTTP status and cache result.', ['model', 'target', 'status', 'cache']);
  readonly duration = histogram('iir_gateway_request_duration_seconds', 'Whole request duration, from arrival to the last byte.', ['model', 'stream']);
  readonly ttft = histogram('iir_gateway_ttft_seconds', 'Time to the first byte of the answer (the first streamed token).', ['model']);
  readonly upstreamDuration = histogram('iir_gateway_upstream_duration_seconds', 'One upstream attempt, until its answer starts.', ['provider', 'outcome']);
  readonly attempts = counter('iir_gateway_upstream_attempts_total', 'Upstream attempts by provider and outcome.', ['provider', 'outcome']);
  readonly retries = counter('iir_gateway_retries_total', 'Retries of the same target after a retryable failure.', ['provider']);
  readonly fallbacks = counter('iir_gateway_fallbacks_total', 'Requests that moved on to a later target of their plan.', ['model']);
  readonly tokens = counter('iir_gateway_tokens_total', 'Tokens by model and direction (prompt, completion), as the upstream counted them.', ['model', 'direction']);
  readonly inFlight = gauge('iir_gateway_in_flight_requests', 'Requests being served now.');
}

let shared: GatewayMetrics | undefined;

export function gatewayMetrics(): GatewayMetrics {
  // Re-created when a test cleared the registry.
  if (!shared || !register.getSingleMetric('iir_gateway_requests_total')) shared = new GatewayMetrics();
  return shared;
}

export type AttemptOutcome = 'ok' | 'error' | 'rate_limited' | 'timeout';

function counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
  return (register.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter<L>({ name, help, labelNames });
}

function histogram<L extends string>(name: string, help: string, labelNames: L[]): Histogram<L> {
  return (register.getSingleMetric(name) as Histogram<L> | undefined) ?? new Histogram<L>({ name, help, labelNames, buckets: LATENCY_BUCKETS });
}

function gauge(name: string, help: string): Gauge {
  return (register.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help });
}
