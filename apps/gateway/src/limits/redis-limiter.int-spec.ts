import { JsonLogger } from '@iir/platform';
import { closedPort, requireService, TcpRelay, TEST_REDIS_URL, uniquePrefix, waitFor } from '@iir/testing';
import type { Redis } from 'ioredis';
import { register } from 'prom-client';
import { WINDOW_SLICES, sliceMsOf } from './limit-backend';
import { RateLimiter, type LimitOutcome } from './rate-limiter';
import { createRedis, redisReady } from '../redis/redis-connection';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One log's lines, parsed. */
function captureLogger(): { logger: JsonLogger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { logger: new JsonLogger('gateway', 'info', (line) => lines.push(JSON.parse(line) as Record<string, unknown>)), lines };
}

describe('RateLimiter on Redis', () => {
  const connections: Redis[] = [];
  const { logger, lines } = captureLogger();
  let prefix: string;

  /** A gateway replica: its own Redis connection, the shared key prefix. */
  async function replica(windowMs = 60_000): Promise<RateLimiter> {
    const redis = createRedis(TEST_REDIS_URL, logger);
    connections.push(redis);
    await redisReady(redis);
    return new RateLimiter(redis, { logger, windowMs, keyPrefix: prefix });
  }

  beforeAll(async () => {
    await requireService('Redis', TEST_REDIS_URL);
  });

  beforeEach(() => {
    prefix = `${uniquePrefix('rl')}:`;
    lines.length = 0;
  });

  afterEach(async () => {
    const admin = connections[0];
    if (admin?.status === 'ready') {
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.del(...keys);
    }
    for (const c of connections.splice(0)) c.disconnect();
  });

  it('admits exactly the RPM across two replicas sharing Redis, under 200 concurrent requests', async () => {
    const [a, b] = await Promise.all([replica(), replica()]);
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).admitKey({ keyId: 'k1', rpm: 60 }, `req-${i}`, 10)),
    );
    const allowed = outcomes.filter((o) => o.allowed);
    expect(allowed).toHaveLength(60);
    // each admitted request saw its own slot taken: remaining counts down 59..0 with no repeats
    const remaining = allowed.map((o) => Number(o.headers['x-ratelimit-remaining-requests'])).sort((x, y) => x - y);
    expect(remaining).toEqual(Array.from({ length: 60 }, (_, i) => i));
    for (const refused of outcomes.filter((o) => !o.allowed)) {
      expect(refused).toMatchObject({ limited: 'requests', headers: { 'x-ratelimit-limit-requests': '60', 'x-ratelimit-remaining-requests': '0' } });
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000 + sliceMsOf(60_000));
      expect(refused.reservation).toBeUndefined();
    }
    expect(a.degraded || b.degraded).toBe(false);
    expect(lines).toEqual([]);
  });

  it('reserves the estimate, and settlement on either replica gives back the difference or charges the excess', async () => {
    const [a, b] = await Promise.all([replica(), replica()]);
    const key = { keyId: 'k2', rpm: 100, tpm: 1_000 };
    const first = await a.admitKey(key, 'r1', 600);
    expect(first).toMatchObject({ allowed: true, headers: { 'x-ratelimit-limit-tokens': '1000', 'x-ratelimit-remaining-tokens': '400' } });
    // the window and at most one slice (3 s of a minute)
    expect(first.headers['x-ratelimit-reset-tokens']).toMatch(/^1m[0-3](\.\d+)?s$/);
    expect((await b.admitKey(key, 'r2', 500)).allowed).toBe(false);

    await b.settle(reservationOf(first), 100); // lower: 500 back
    const second = await b.admitKey(key, 'r3', 500);
    expect(second).toMatchObject({ allowed: true, headers: { 'x-ratelimit-remaining-tokens': '400' } });

    await a.settle(reservationOf(second), 850); // higher: 350 more charged, 50 left
    const refused = await a.admitKey(key, 'r4', 100);
    expect(refused).toMatchObject({ allowed: false, limited: 'tokens', headers: { 'x-ratelimit-remaining-tokens': '50' } });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect((await a.admitKey(key, 'r5', 50)).allowed).toBe(true);
  });

  it('refuses a request bigger than the remaining token budget without using a request slot', async () => {
    const a = await replica();
    const key = { keyId: 'k3', rpm: 2, tpm: 100 };
    expect((await a.admitKey(key, 'r1', 90)).allowed).toBe(true);
    const refused = await a.admitKey(key, 'r2', 20);
    expect(refused).toMatchObject({ allowed: false, limited: 'tokens', headers: { 'x-ratelimit-remaining-requests': '1', 'x-ratelimit-remaining-tokens': '10' } });
    const fits = await a.admitKey(key, 'r3', 10);
    expect(fits).toMatchObject({ allowed: true, headers: { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-remaining-tokens': '0' } });

    const tooLarge = await a.admitKey({ keyId: 'k3b', rpm: 2, tpm: 100 }, 'r4', 101);
    expect(tooLarge).toMatchObject({ allowed: false, limited: 'tokens', tooLarge: true, headers: { 'x-ratelimit-remaining-requests': '2' } });
    expect(tooLarge.retryAfterMs).toBeUndefined();
  });

  it('gives back the tokens of a released request but not its request slot', async () => {
    const a = await replica();
    const key = { keyId: 'k4', rpm: 2, tpm: 100 };
    const first = await a.admitKey(key, 'r1', 100);
    await a.release(reservationOf(first));
    expect((await a.admitKey(key, 'r2', 100)).allowed).toBe(true);
    expect(await a.admitKey(key, 'r3', 0)).toMatchObject({ allowed: false, limited: 'requests' });
  });

  it('limits a provider’s tokens per minute, shared by the replicas, without counting requests', async () => {
    const [a, b] = await Promise.all([replica(), replica()]);
    const first = await a.admitProvider('openai', 1_000, 'r1', 700);
    expect(first.allowed).toBe(true);
    expect(Object.keys(first.headers).some((h) => h.endsWith('-requests'))).toBe(false);
    const refused = await b.admitProvider('openai', 1_000, 'r2', 400);
    expect(refused).toMatchObject({ allowed: false, limited: 'provider_tokens', headers: { 'x-ratelimit-remaining-tokens': '300' } });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect((await b.admitProvider('anthropic', 1_000, 'r3', 400)).allowed).toBe(true);
    await b.settle(reservationOf(first), 200);
    expect((await b.admitProvider('openai', 1_000, 'r4', 400)).allowed).toBe(true);
  });

  it('lets requests and tokens back in as the window slides past them', async () => {
    const a = await replica(1_000);
    const key = { keyId: 'k5', rpm: 3, tpm: 300 };
    for (let i = 0; i < 3; i++) expect((await a.admitKey(key, `r${i}`, 50)).allowed).toBe(true);
    const refused = await a.admitKey(key, 'r3', 50);
    expect(refused).toMatchObject({ allowed: false, limited: 'requests' });
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1_000 + sliceMsOf(1_000));
    await sleep((refused.retryAfterMs ?? 0) + 20);
    // at least the oldest request and its 50 tokens have left: 200 more tokens fit again
    expect((await a.admitKey(key, 'r4', 200)).allowed).toBe(true);
  });

  it('costs the same at any limit: a busy key with RPM 1 000 000 holds at most two counters per slice', async () => {
    const a = await replica();
    const admin = connections[0] as Redis;
    const key = { keyId: 'busy', rpm: 1_000_000, tpm: 1_000_000_000 };
    for (let round = 0; round < 10; round++) {
      const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => a.admitKey(key, `r${round}-${i}`, 7)));
      expect(outcomes.every((o) => o.allowed)).toBe(true);
    }
    const last = await a.admitKey(key, 'last', 7);
    expect(last.headers).toMatchObject({ 'x-ratelimit-remaining-requests': String(1_000_000 - 2_001), 'x-ratelimit-remaining-tokens': String(1_000_000_000 - 2_001 * 7) });
    const hash = `${prefix}k:{busy}:sw`;
    expect(await admin.hlen(hash)).toBeLessThanOrEqual(2 * (WINDOW_SLICES + 1));
    expect(await admin.pttl(hash)).toBeGreaterThan(60_000);
    expect(await admin.keys(`${prefix}*`)).toEqual([hash]);
  });

  it('drops the counters of slices that have left the window, and a settled reservation is settled once', async () => {
    const a = await replica(400);
    const admin = connections[0] as Redis;
    const key = { keyId: 'slide', rpm: 100, tpm: 1_000 };
    const first = await a.admitKey(key, 'r1', 300);
    await a.settle(reservationOf(first), 100);
    await a.settle(reservationOf(first), 0); // ignored: already settled
    expect((await a.admitKey(key, 'r2', 0)).headers['x-ratelimit-remaining-tokens']).toBe('900');
    await sleep(400 + sliceMsOf(400) + 30);
    const later = await a.admitKey(key, 'r3', 50);
    expect(later.headers).toMatchObject({ 'x-ratelimit-remaining-requests': '99', 'x-ratelimit-remaining-tokens': '950' });
    const fields = await admin.hkeys(`${prefix}k:{slide}:sw`);
    expect(fields.sort()).toEqual([`r${reservationOf(later).slice}`, `t${reservationOf(later).slice}`].sort());
  });

  it('answers unlimited keys without touching Redis', async () => {
    const a = await replica();
    const outcome = await a.admitKey({ keyId: 'free', rpm: null, tpm: 0 }, 'r1', 1_000_000);
    expect(outcome).toMatchObject({ allowed: true, headers: {} });
    await a.settle(reservationOf(outcome), 5);
    expect(await connections[0]?.keys(`${prefix}*`)).toEqual([]);
  });
});

describe('RateLimiter without Redis', () => {
  it('answers from memory when Redis is unreachable: degraded, logged once, no throw', async () => {
    const port = await closedPort();
    const { logger, lines } = captureLogger();
    const redis = createRedis(`redis://127.0.0.1:${port}`, logger);
    try {
      const limiter = new RateLimiter(redis, { logger, keyPrefix: `${uniquePrefix('rl')}:` });
      const fallbacksBefore = await metricValue('iir_gateway_ratelimit_fallback_checks_total');
      const outcomes = await Promise.all(Array.from({ length: 5 }, (_, i) => limiter.admitKey({ keyId: 'k', rpm: 3, tpm: 1_000 }, `r${i}`, 100)));
      expect(outcomes.filter((o) => o.allowed)).toHaveLength(3);
      expect(outcomes.find((o) => !o.allowed)).toMatchObject({ limited: 'requests', headers: { 'x-ratelimit-remaining-requests': '0' } });
      await limiter.settle(reservationOf(outcomes[0]), 50);
      expect((await limiter.admitProvider('openai', 100, 'p1', 50)).allowed).toBe(true);

      expect(limiter.degraded).toBe(true);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 'warn', context: 'RateLimiter' });
      expect(await metricValue('iir_gateway_ratelimit_degraded')).toBe(1);
      expect(await metricValue('iir_gateway_ratelimit_fallback_checks_total')).toBe(fallbacksBefore + 6);
    } finally {
      redis.disconnect();
    }
  });

  it('answers from memory when Redis is not configured, and says so once', async () => {
    const { logger, lines } = captureLogger();
    const limiter = new RateLimiter(undefined, { logger });
    expect((await limiter.admitKey({ keyId: 'k', rpm: 1 }, 'r1', 1)).allowed).toBe(true);
    expect((await limiter.admitKey({ keyId: 'k', rpm: 1 }, 'r2', 1)).allowed).toBe(false);
    expect(limiter.degraded).toBe(true);
    expect(lines).toHaveLength(1);
  });

  it('goes back to Redis when it returns, logging the outage and the recovery once each', async () => {
    await requireService('Redis', TEST_REDIS_URL);
    const proxy = await TcpRelay.start(TEST_REDIS_URL);
    const { logger, lines } = captureLogger();
    const redis = createRedis(`redis://127.0.0.1:${proxy.port}`, logger);
    try {
      await redisReady(redis);
      const limiter = new RateLimiter(redis, { logger, keyPrefix: `${uniquePrefix('rl')}:` });
      const key = { keyId: 'k', rpm: 100 };
      expect((await limiter.admitKey(key, 'r1', 1)).allowed).toBe(true);
      expect(limiter.degraded).toBe(false);

      await proxy.stop();
      await waitFor(() => redis.status !== 'ready', { what: 'the connection to drop' });
      for (let i = 0; i < 3; i++) expect((await limiter.admitKey(key, `down${i}`, 1)).allowed).toBe(true);
      expect(limiter.degraded).toBe(true);

      await proxy.resume();
      await redisReady(redis, 10_000);
      const back = await limiter.admitKey(key, 'r2', 1);
      expect(limiter.degraded).toBe(false);
      // Redis still holds r1 from before the outage: the shared count picks up where it was
      expect(back.headers['x-ratelimit-remaining-requests']).toBe('98');
      expect(lines.map((l) => l['level'])).toEqual(['warn', 'info']);
    } finally {
      redis.disconnect();
      await proxy.stop();
    }
  });
});

function reservationOf(outcome: LimitOutcome | undefined): NonNullable<LimitOutcome['reservation']> {
  if (!outcome?.reservation) throw new Error(`expected an admitted outcome, got ${JSON.stringify(outcome)}`);
  return outcome.reservation;
}

async function metricValue(name: string): Promise<number> {
  const metric = register.getSingleMetric(name);
  if (!metric) return 0;
  return (await metric.get()).values[0]?.value ?? 0;
}
