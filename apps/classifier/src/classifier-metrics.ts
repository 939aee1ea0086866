import { counter, zeroSeries } from '@iir/platform';
import type { Counter } from 'prom-client';

export type ClassifierOutcome = 'ok' | 'error';

/**
 * The classifier's metrics, registered when its module is built so `/metrics` shows them before the
 * first request. The handler counts into `requests`.
 */
export function classifierMetrics(): { requests: Counter<'outcome'> } {
  const requests = counter({
    name: 'iir_classifier_requests_total',
    help: 'Classification requests answered, by outcome (ok, error).',
    labelNames: ['outcome'],
  });
  zeroSeries(requests, [{ outcome: 'ok' }, { outcome: 'error' }]);
  return { requests };
}
