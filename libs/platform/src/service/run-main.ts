import { BusError } from '@iir/contracts';
import type { ZodRawShape } from 'zod';
import { ConfigError } from '../config/config';
import { startService, type RunningService, type ServiceDefinition } from './start-service';

/**
 * What every `main.ts` calls: start, stop cleanly on SIGINT/SIGTERM, and on a bad setting or an
 * unreachable NATS exit non-zero with a message that names the problem.
 */
export function runMain<S extends ZodRawShape>(definition: ServiceDefinition<S>): void {
  void startService(definition).then(stopOnSignals, (error: unknown) => exitWith(definition.name, error));
}

export function stopOnSignals(...services: RunningService[]): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    for (const s of services) s.logger.write('info', `received ${signal}, shutting down`);
    const timer = setTimeout(() => process.exit(1), 10_000);
    timer.unref();
    void Promise.allSettled(services.map((s) => s.close())).then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
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
