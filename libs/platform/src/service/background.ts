import { counter } from '../metrics/metric-factory';

const escaped = () =>
  counter({
    name: 'iir_process_unhandled_rejections_total',
    help: 'Promises that were rejected with nobody handling them (logged; the process keeps running).',
  });

/**
 * Runs work nobody awaits (a timer tick, an event handler) so that its failure can never be an
 * unhandled rejection: `onError` sees it instead. Use this, never a bare `void promise`.
 */
export function background(work: () => Promise<unknown>, onError: (error: unknown) => void): void {
  try {
    work().catch((error: unknown) => {
      try {
        onError(error);
      } catch {
        // The error handler itself failed: nothing left to tell.
      }
    });
  } catch (error) {
    onError(error);
  }
}

let guarded = false;

/**
 * The last line of defence, installed once per process: a rejection that still escapes is logged
 * and counted (`iir_process_unhandled_rejections_total`), never hidden and never fatal — Node's
 * default would take the whole service down for one dropped promise in a timer.
 */
export function guardUnhandledRejections(log: (message: string, error: unknown) => void): void {
  if (guarded) return;
  guarded = true;
  const metric = escaped();
  process.on('unhandledRejection', (reason) => {
    metric.inc();
    log('unhandled promise rejection (a bug: a background promise was dropped)', reason);
  });
}
