import { BusError, type KeyVerifyResponse } from '@iir/contracts';
import { counter, DATABASE_BUCKETS, histogram, zeroSeries } from '@iir/platform';
import type { Counter, Histogram } from 'prom-client';

export type KeyOperation = 'create' | 'verify' | 'list' | 'revoke';
/** `ok` for create, list and revoke; verify answers usable, unknown, revoked or expired instead. */
export type KeyOutcome = 'ok' | 'usable' | 'unknown' | 'revoked' | 'expired' | 'invalid' | 'not_found' | 'error';

const SERIES: ReadonlyArray<{ operation: KeyOperation; outcome: KeyOutcome }> = [
  ...(['ok', 'invalid', 'error'] as const).map((outcome) => ({ operation: 'create' as const, outcome })),
  ...(['usable', 'unknown', 'revoked', 'expired', 'invalid', 'error'] as const).map((outcome) => ({ operation: 'verify' as const, outcome })),
  ...(['ok', 'error'] as const).map((outcome) => ({ operation: 'list' as const, outcome })),
  ...(['ok', 'invalid', 'not_found', 'error'] as const).map((outcome) => ({ operation: 'revoke' as const, outcome })),
];

export interface KeyMetrics {
  operations: Counter<'operation' | 'outcome'>;
}

export interface LedgerMetrics {
  recordsWritten: Counter;
  recordsRejected: Counter;
  writeDuration: Histogram;
  batchSize: Histogram;
  writeFailures: Counter;
}

/** Key operations on the process-wide registry. */
export function keyMetrics(): KeyMetrics {
  const operations = counter({
    name: 'iir_auth_key_operations_total',
    help: 'API key operations (create, verify, list, revoke) by outcome; verify: usable, unknown, revoked, expired.',
    labelNames: ['operation', 'outcome'],
  });
  zeroSeries(operations, SERIES);
  return { operations };
}

/** The usage ledger's metrics on the process-wide registry. */
export function ledgerMetrics(): LedgerMetrics {
  return {
    recordsWritten: counter({
      name: 'iir_auth_usage_records_written_total',
      help: 'Usage records in committed ledger batches (a redelivered record is stored once but counted again).',
    }),
    recordsRejected: counter({
      name: 'iir_auth_usage_records_rejected_total',
      help: 'Messages on the usage stream that were not usage records and were dropped (never retried).',
    }),
    writeDuration: histogram({
      name: 'iir_auth_ledger_write_duration_seconds',
      help: 'Time to write one batch of usage records, in seconds.',
      buckets: DATABASE_BUCKETS,
    }),
    batchSize: histogram({
      name: 'iir_auth_ledger_batch_size',
      help: 'Usage records per ledger batch.',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
    }),
    writeFailures: counter({
      name: 'iir_auth_ledger_write_failures_total',
      help: 'Ledger batches the database refused (the batch is not acknowledged and is redelivered).',
    }),
  };
}

/** The outcome of a failed key operation: the caller's mistake, or ours. */
export function failureOutcome(error: unknown): KeyOutcome {
  if (!(error instanceof BusError)) return 'error';
  if (error.code === 'invalid_request_error') return 'invalid';
  if (error.code === 'not_found') return 'not_found';
  return 'error';
}

export function verifyOutcome(answer: KeyVerifyResponse): KeyOutcome {
  return answer.usable ? 'usable' : (answer.reason ?? 'unknown');
}
