/**
 * The rate limiter alone: one check and its settlement (`admitKey` + `settle`), in memory and on
 * Redis, for a key limited to RPM 60 and to RPM 1 000 000, after the key has already made
 * `BENCH_LIMITER_WARM` requests in its window (a busy key). Its cost must not depend on the limit
 * or on the key's traffic. Prints one JSON line per case: µs per check+settle.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { JsonLogger } from '@iir/platform';
import { RateLimiter } from '../../apps/gateway/src/limits/rate-limiter';
import { createRedis, redisReady } from '../../apps/gateway/src/redis/redis-connection';

const WARM = Number(process.env.BENCH_LIMITER_WARM ?? 20_000);
const OPS = Number(process.env.BENCH_LIMITER_OPS ?? 20_000);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** CPU µs of the local redis-server processes so far (0 when there is none to read). */
function redisCpuUs(): number {
  let pids: string[] = [];
  try {
    pids = execFileSync('pgrep', ['-x', 'redis-server'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return 0;
  }
  let ticks = 0;
  for (const pid of pids) {
    const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10_000; // USER_HZ 100
}

async function measure(limiter: RateLimiter, rpm: number, keyId: string): Promise<{ usPerOp: number; redisUsPerOp: number; allowed: number }> {
  const key = { keyId, rpm, tpm: rpm * 1_000 };
  const one = async (i: number): Promise<boolean> => {
    const outcome = await limiter.admitKey(key, `r${i}`, 20);
    if (outcome.reservation) await limiter.settle(outcome.reservation, 15);
    return outcome.allowed;
  };
  // 32 at a time, as a gateway under load issues them
  const run = async (n: number): Promise<number> => {
    let allowed = 0;
    for (let i = 0; i < n; i += 32) {
      const results = await Promise.all(Array.from({ length: Math.min(32, n - i) }, (_, j) => one(i + j)));
      allowed += results.filter(Boolean).length;
    }
    return allowed;
  };
  await run(WARM);
  const start = process.cpuUsage();
  const redisStart = redisCpuUs();
  const allowed = await run(OPS);
  const used = process.cpuUsage(start);
  return { usPerOp: (used.user + used.system) / OPS, redisUsPerOp: (redisCpuUs() - redisStart) / OPS, allowed };
}

async function main(): Promise<void> {
  const logger = new JsonLogger('bench', 'error');
  const prefix = `bench-limiter:${process.pid}:`;
  const redis = createRedis(REDIS_URL, logger);
  await redisReady(redis);
  const backends: Array<[string, RateLimiter]> = [
    ['memory', new RateLimiter(undefined, { logger, keyPrefix: prefix })],
    ['redis', new RateLimiter(redis, { logger, keyPrefix: prefix })],
  ];
  for (const [backend, limiter] of backends) {
    for (const rpm of [60, 1_000_000]) {
      const result = await measure(limiter, rpm, `${backend}-${rpm}`);
      process.stdout.write(`${JSON.stringify({ backend, rpm, warm: WARM, ops: OPS, ...result })}\n`);
    }
  }
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
