import { BusError } from '@iir/contracts';
import { counter, FAST_BUCKETS, gauge, histogram, secondsSince, zeroSeries } from '@iir/platform';
import type { Counter, Gauge, Histogram } from 'prom-client';

export type RegistryOperation = 'list' | 'get';
const OPERATIONS: readonly RegistryOperation[] = ['list', 'get'];
const OUTCOMES = ['ok', 'model_not_found', 'error'] as const;

export interface RegistryMetrics {
  requests: Counter<'operation' | 'outcome'>;
  duration: Histogram<'operation'>;
  /** Models in the table, enabled and not. */
  models: Gauge<'enabled'>;
  changes: Counter;
}

/** The registry's metrics on the process-wide registry. */
export function registryMetrics(): RegistryMetrics {
  const metrics: RegistryMetrics = {
    requests: counter({
      name: 'iir_registry_requests_total',
      help: 'Bus requests answered by the registry, by operation (list, get) and outcome (ok, model_not_found, error).',
      labelNames: ['operation', 'outcome'],
    }),
    duration: histogram({
      name: 'iir_registry_request_duration_seconds',
      help: 'Time the registry took to answer a bus request, in seconds.',
      labelNames: ['operation'],
      buckets: FAST_BUCKETS,
    }),
    models: gauge({ name: 'iir_registry_models', help: 'Models in the registry, by enabled (true, false).', labelNames: ['enabled'] }),
    changes: counter({ name: 'iir_registry_changes_total', help: 'Catalogue reloads announced as registry.models.changed.' }),
  };
  zeroSeries(metrics.requests, OPERATIONS.flatMap((operation) => OUTCOMES.map((outcome) => ({ operation, outcome }))));
  zeroSeries(metrics.models, [{ enabled: 'true' }, { enabled: 'false' }]);
  return metrics;
}

/** Runs one request's work, counting and timing it under `operation`. */
export async function measured<T>(metrics: RegistryMetrics, operation: RegistryOperation, work: () => Promise<T>): Promise<T> {
  const start = process.hrtime.bigint();
  let outcome: (typeof OUTCOMES)[number] = 'ok';
  try {
    return await work();
  } catch (error) {
    outcome = error instanceof BusError && error.code === 'model_not_found' ? 'model_not_found' : 'error';
    throw error;
  } finally {
    metrics.duration.observe({ operation }, secondsSince(start));
    metrics.requests.inc({ operation, outcome });
  }
}
