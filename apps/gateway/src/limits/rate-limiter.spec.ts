import { EventEmitter } from 'node:events';
import { JsonLogger } from '@iir/platform';
import type { Redis } from 'ioredis';
import { RateLimiter } from './rate-limiter';

/** Just enough of ioredis for the adapter: a status, events and script calls. */
class StubRedis extends EventEmitter {
  status = 'ready';
  readonly evalsha = jest.fn<Promise<unknown>, unknown[]>();
  readonly eval = jest.fn<Promise<unknown>, unknown[]>();
}

const ADMITTED = [1, 0, -1, 1, 60_000, 0, 0, 577_000];

function setup(): { stub: StubRedis; limiter: RateLimiter; lines: string[] } {
  const lines: string[] = [];
  const logger = new JsonLogger('gateway', 'info', (line) => lines.push(line));
  const stub = new StubRedis();
  return { stub, limiter: new RateLimiter(stub as unknown as Redis, { logger, keyPrefix: 'unit:' }), lines };
}

describe(RateLimiter.name, () => {
  it('stops trying a connection that timed out while still looking ready, until it reconnects', async () => {
    const { stub, limiter, lines } = setup();
    stub.evalsha.mockRejectedValue(new Error('Command timed out'));
    for (let i = 0; i < 3; i++) expect((await limiter.admitKey({ keyId: 'k', rpm: 2 }, `r${i}`, 1)).allowed).toBe(i < 2);
    expect(stub.evalsha).toHaveBeenCalledTimes(1);
    expect(limiter.degraded).toBe(true);
    expect(lines).toHaveLength(1);

    stub.evalsha.mockResolvedValue(ADMITTED);
    stub.emit('ready');
    expect((await limiter.admitKey({ keyId: 'k', rpm: 2 }, 'r3', 1)).allowed).toBe(true);
    expect(stub.evalsha).toHaveBeenCalledTimes(2);
    expect(limiter.degraded).toBe(false);
    expect(lines).toHaveLength(2);
  });

  it('loads the script when Redis has lost it (NOSCRIPT) without counting that as an outage', async () => {
    const { stub, limiter } = setup();
    stub.evalsha.mockRejectedValue(new Error('NOSCRIPT No matching script. Please use EVAL.'));
    stub.eval.mockResolvedValue(ADMITTED);
    expect((await limiter.admitKey({ keyId: 'k', rpm: 2 }, 'r1', 1)).allowed).toBe(true);
    expect(stub.eval).toHaveBeenCalledTimes(1);
    expect(limiter.degraded).toBe(false);
  });

  it('never throws from a settlement when Redis fails, and settles memory reservations in memory', async () => {
    const { stub, limiter } = setup();
    stub.evalsha.mockResolvedValue([1, 0, -1, 1, 60_000, 10, 60_000, 577_000]);
    const inRedis = await limiter.admitKey({ keyId: 'k', tpm: 100 }, 'r1', 10);
    stub.evalsha.mockRejectedValue(new Error('Connection is closed.'));
    await expect(limiter.settle(inRedis.reservation!, 5)).resolves.toBeUndefined();

    stub.status = 'reconnecting';
    const inMemory = await limiter.admitKey({ keyId: 'k', tpm: 100 }, 'r2', 100);
    expect(inMemory.reservation?.backend).toBe('memory');
    stub.status = 'ready';
    stub.emit('ready');
    stub.evalsha.mockClear();
    await limiter.release(inMemory.reservation!);
    expect(stub.evalsha).not.toHaveBeenCalled();
  });

  it('treats a fractional limit as at least 1, never as unlimited', async () => {
    const { stub, limiter } = setup();
    stub.evalsha.mockResolvedValue(ADMITTED);
    await limiter.admitKey({ keyId: 'k', rpm: 0.5 }, 'r1', 1);
    expect(stub.evalsha.mock.calls[0]?.slice(3, 7)).toEqual([3_000, 20, 1, 0]);
  });

  it('refuses with the limit that applies and when to come back', async () => {
    const { stub, limiter } = setup();
    stub.evalsha.mockResolvedValue([0, 2, 1_500.4, 3, 20_000, 950, 59_000, 577_000]);
    const outcome = await limiter.admitKey({ keyId: 'k', rpm: 10, tpm: 1_000 }, 'r1', 100);
    expect(outcome).toEqual({
      allowed: false,
      limited: 'tokens',
      retryAfterMs: 1_501,
      headers: {
        'x-ratelimit-limit-requests': '10',
        'x-ratelimit-remaining-requests': '7',
        'x-ratelimit-reset-requests': '20s',
        'x-ratelimit-limit-tokens': '1000',
        'x-ratelimit-remaining-tokens': '50',
        'x-ratelimit-reset-tokens': '59s',
      },
    });
  });
});
