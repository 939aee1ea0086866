import type { JsonLogger } from '@iir/platform';
import { Redis } from 'ioredis';

export interface RedisConnectionOptions {
  /** A command that takes longer fails (and the limiter answers from memory). Default 500 ms. */
  commandTimeoutMs?: number;
  /** Default 1 000 ms. */
  connectTimeoutMs?: number;
}

/**
 * An ioredis connection for the rate limiter that fails fast instead of queueing: with Redis
 * down, a command is rejected at once (no offline queue, no per-request retries) or after
 * `commandTimeoutMs`, and the connection keeps reconnecting in the background (at most 1 s apart)
 * so the limiter can go back to it.
 */
export function createRedis(url: string, logger: JsonLogger, options: RedisConnectionOptions = {}): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectTimeout: options.connectTimeoutMs ?? 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
  });
  // Without a listener, ioredis's 'error' events would crash the process. The limiter logs the
  // outage itself (once), so each reconnect attempt's error is only debug noise.
  redis.on('error', (err: Error) => {
    logger.write('debug', 'Rate-limit Redis connection error', { err: err.message }, 'RateLimiter');
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
