import type { JsonLogger } from '@iir/platform';
import { Redis, type RedisOptions } from 'ioredis';
import type { CacheStore } from './cache-store';

/** A command that has not answered by then counts as Redis being down: the request goes upstream. */
const COMMAND_TIMEOUT_MS = 250;

/**
 * A Redis client for the cache that fails fast instead of queueing: while Redis is unreachable
 * every command rejects at once (no offline queue, no per-request retries, a short timeout),
 * and it reconnects in the background. Logs once when Redis is lost and once when it is back.
 * `overrides` is for settings such as TLS; the fail-fast settings above should stay.
 */
export function createCacheRedis(url: string, logger: JsonLogger, overrides: Partial<RedisOptions> = {}): Redis {
  const redis = new Redis(url, {
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    ...overrides,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: overrides.commandTimeout ?? COMMAND_TIMEOUT_MS,
  });
  const where = redactUrl(url);
  let state: 'starting' | 'up' | 'down' = 'starting';
  const lost = (err?: unknown): void => {
    if (state === 'down') return;
    state = 'down';
    logger.write('warn', 'cache Redis is unreachable; the response cache is bypassed until it is back', { url: where, ...(err ? { err } : {}) });
  };
  // 'error' also stops ioredis from treating errors as unhandled; 'reconnecting' is not sent after quit().
  redis.on('error', (err: unknown) => lost(err));
  redis.on('reconnecting', () => lost());
  redis.on('ready', () => {
    if (state === 'down') logger.write('info', 'cache Redis is reachable again; the response cache is back', { url: where });
    state = 'up';
  });
  return redis;
}

/** Values expire in Redis itself (`PX`), so every gateway replica shares the entries and TTLs. */
export class RedisCacheStore implements CacheStore {
  constructor(private readonly redis: Redis) {}

  async get(key: string): Promise<Buffer | undefined> {
    return (await this.redis.getBuffer(key)) ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    const ms = Math.round(ttlSeconds * 1000);
    if (ms <= 0) return;
    await this.redis.set(key, value, 'PX', ms);
  }
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://(unparseable URL)';
  }
}
