import type { JsonLogger } from '@iir/platform';
import type { Redis, RedisOptions } from 'ioredis';
import { createRedis } from '../redis/redis-connection';
import type { CacheStore } from './cache-store';

/** A command that has not answered by then counts as Redis being down: the request goes upstream. */
const COMMAND_TIMEOUT_MS = 250;

/** A connection of the cache's own (tests; the gateway shares one with the limiter: `watchCacheRedis`). */
export function createCacheRedis(url: string, logger: JsonLogger, overrides: Partial<RedisOptions> = {}): Redis {
  return watchCacheRedis(createRedis(url, logger, { connectTimeout: 2_000, commandTimeout: COMMAND_TIMEOUT_MS, ...overrides }), url, logger);
}

/** Logs once when the cache loses Redis and once when it is back (the cache is bypassed meanwhile). */
export function watchCacheRedis(redis: Redis, url: string, logger: JsonLogger): Redis {
  const where = redactUrl(url);
  let state: 'starting' | 'up' | 'down' = 'starting';
  const lost = (err?: unknown): void => {
    if (state === 'down') return;
    state = 'down';
    logger.write('warn', 'cache Redis is unreachable; the response cache is bypassed until it is back', { url: where, ...(err ? { err } : {}) });
  };
  // 'reconnecting' is not sent after quit(): a normal shutdown logs no loss.
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
