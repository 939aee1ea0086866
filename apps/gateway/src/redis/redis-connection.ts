import type { JsonLogger } from '@iir/platform';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * The gateway's one Redis connection (rate limits and the response cache share it), failing fast
 * instead of queueing: with Redis down a command is rejected at once (no offline queue, no
 * per-request retries) or after a short timeout, so a request never waits on Redis; the limiter
 * then answers from memory and the cache is bypassed. It keeps reconnecting in the background (at
 * most 1 s apart). `overrides` is for settings such as TLS or test timeouts; fail-fast stays.
 */
export function createRedis(url: string, logger: JsonLogger, overrides: Partial<RedisOptions> = {}): Redis {
  const redis = new Redis(url, {
    connectTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    ...overrides,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: overrides.commandTimeout ?? 250,
  });
  // Without a listener, ioredis's 'error' events would crash the process. The limiter and the
  // cache each log an outage once, so each reconnect attempt's error is only debug noise.
  redis.on('error', (err: Error) => {
    logger.write('debug', 'Redis connection error', { err: err.message }, 'Redis');
  });
  return redis;
}

/** Resolves once the connection is ready, e.g. at boot or in tests; rejects after `timeoutMs`. */
export function redisReady(redis: Redis, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis not ready after ${timeoutMs} ms (status ${redis.status})`));
    }, timeoutMs);
    redis.once('ready', onReady);
  });
}
