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
  private stopping = false;

  constructor() {
    guardUnhandledRejections((message, error) => {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`${JSON.stringify({ level: 'error', time: new Date().toISOString(), msg: message, err: detail })}\n`);
    });
    process.once('SIGINT', () => this.stop('SIGINT'));
    process.once('SIGTERM', () => this.stop('SIGTERM'));
  }

  track(service: Promise<RunningService>): Promise<RunningService> {
    this.starting.push(service);
    return service;
  }

  stop(signal: string): void {
    if (this.stopping) return;
    this.stopping = true;
    const timer = setTimeout(() => process.exit(1), 10_000);
    timer.unref();
    void Promise.allSettled(this.starting).then(async (results) => {
      const up = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      for (const s of up) s.logger.write('info', `received ${signal}, shutting down`);
      await Promise.allSettled(up.map((s) => s.close()));
      process.exit(0);
    });
  }
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
