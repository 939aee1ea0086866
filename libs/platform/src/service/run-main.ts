import { BusError } from '@iir/contracts';
import type { ZodRawShape } from 'zod';
import { ConfigError } from '../config/config';
import { guardUnhandledRejections } from './background';
import { startService, type RunningService, type ServiceDefinition } from './start-service';

/**
 * What every `main.ts` calls: start, stop cleanly on SIGINT/SIGTERM (also while still starting),
 * and on a bad setting or an unreachable NATS exit non-zero with a message naming the problem.
 */
export function runMain<S extends ZodRawShape>(definition: ServiceDefinition<S>): void {
  const shutdown = new GracefulShutdown();
  void shutdown.track(startService(definition)).catch((error: unknown) => exitWith(definition.name, error));
}

/**
 * Signal handling installed before anything starts, so a SIGTERM during start-up (migrations,
 * seeding, binding ports) still closes whatever is up and exits 0.
 */
export class GracefulShutdown {
  private readonly starting: Array<Promise<RunningService>> = [];
  private signalled = false;

  constructor() {
    guardUnhandledRejections((message, error) => {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`${JSON.stringify({ level: 'error', time: new Date().toISOString(), msg: message, err: detail })}\n`);
    });
    process.once('SIGINT', () => this.stop('SIGINT'));
    process.once('SIGTERM', () => this.stop('SIGTERM'));
  }

  /** Set once a signal arrived: a launcher starts nothing more. */
  get stopping(): boolean {
    return this.signalled;
  }

  track(service: Promise<RunningService>): Promise<RunningService> {
    this.starting.push(service);
    return service;
  }

  /**
   * Stops the services in the reverse of the order they were tracked (the launcher tracks the
   * gateway last, so it stops first: its open streams finish and their usage reaches auth's ledger
   * before auth closes its database). A stop that hangs past every grace period exits 1.
   */
  stop(signal: string): void {
    if (this.signalled) return;
    this.signalled = true;
    let timer = hardStop(HARD_STOP_MARGIN_MS);
    Promise.allSettled(this.starting).then(async (results) => {
      const up = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      clearTimeout(timer);
      timer = hardStop(Math.max(0, ...up.map((s) => s.shutdownGraceMs)) + HARD_STOP_MARGIN_MS);
      for (const s of up) s.logger.write('info', `received ${signal}, shutting down`);
      for (const s of up.reverse()) {
        await s.close().catch((error: unknown) => s.logger.write('error', `${s.name} did not stop cleanly`, { err: error }));
      }
      process.exit(0);
    }).catch(() => process.exit(1));
  }
}

/** Beyond the grace period: time for flushing usage and closing databases and the bus. */
const HARD_STOP_MARGIN_MS = 10_000;

function hardStop(ms: number): NodeJS.Timeout {
  const timer = setTimeout(() => {
    process.stderr.write(`${JSON.stringify({ level: 'error', time: new Date().toISOString(), msg: `shutdown did not finish within ${ms} ms; exiting` })}\n`);
    process.exit(1);
  }, ms);
  timer.unref();
  return timer;
}

export function exitWith(name: string, error: unknown): never {
  const message =
    error instanceof ConfigError || error instanceof BusError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`[iir ${name}] failed to start: ${message}\n`);
  process.exit(1);
}
