import type { Bus } from '@iir/contracts';
import { InProcessBus } from './in-process-bus';
import { NatsBus } from './nats-bus';

export interface BusSettings {
  natsUrl: string | undefined;
  subjectPrefix: string;
  connectTimeoutMs: number;
  name: string;
}

const SHARED = Symbol.for('iir.in-process-bus');
type GlobalWithBus = typeof globalThis & { [SHARED]?: InProcessBus };

/**
 * NATS when `NATS_URL` is set (failing fast if it is unreachable: no silent fallback when the user
 * asked for NATS); otherwise the process-wide in-process bus that every embedded service shares.
 */
export async function createBus(settings: BusSettings, onError?: (error: Error) => void): Promise<Bus> {
  if (settings.natsUrl) {
    return NatsBus.connect({
      servers: settings.natsUrl,
      subjectPrefix: settings.subjectPrefix,
      connectTimeoutMs: settings.connectTimeoutMs,
      name: settings.name,
      onError,
    });
  }
  const g = globalThis as GlobalWithBus;
  g[SHARED] ??= new InProcessBus(onError);
  return g[SHARED];
}

/** Forgets the shared in-process bus (tests and shutdown of an embedded run). */
export function resetSharedInProcessBus(): void {
  delete (globalThis as GlobalWithBus)[SHARED];
}
