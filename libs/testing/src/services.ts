import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';

/** Where the integration tests find NATS and Redis; override with TEST_NATS_URL / TEST_REDIS_URL. */
export const TEST_NATS_URL = process.env['TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
export const TEST_POSTGRES_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const HOW_TO_START: Record<string, string> = {
  NATS: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server',
  Redis: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
  PostgreSQL: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
};

/**
 * Fails (never skips) when a real service an integration test needs is not reachable, with a
 * message that says how to start it.
 */
export async function requireService(name: 'NATS' | 'Redis' | 'PostgreSQL', url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  const reachable = await canConnect(hostname, Number(port));
  if (!reachable) {
    throw new Error(
      `${name} is not reachable at ${url}; integration tests need a real ${name}. Start it with:\n  ${HOW_TO_START[name]}`,
    );
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/** A subject prefix of its own for each test, so tests share one NATS without crosstalk. */
export function uniquePrefix(label = 't'): string {
  return `${label}${randomBytes(5).toString('hex')}`;
}

/** Debian's Chromium, for tests that drive a real browser; a clear error when it is not installed. */
export function requireChromium(): string {
  const path = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`Chromium is not installed at ${path}; browser tests need Debian's Chromium:\n  apt-get update && apt-get install -y chromium`);
  }
  return path;
}
