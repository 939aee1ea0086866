import type { AdmitRequest } from './limit-backend';
import { MemoryLimiter } from './memory-limiter';

const WINDOW = 1_000;

function setup(): { limiter: MemoryLimiter; at: (ms: number) => void; admit: (over: Partial<AdmitRequest>) => ReturnType<MemoryLimiter['admit']> } {
  let now = 10_000;
  const limiter = new MemoryLimiter(() => now);
  let seq = 0;
  return {
    limiter,
    at: (ms) => {
      now = 10_000 + ms;
    },
    admit: (over) => limiter.admit({ base: 'k', windowMs: WINDOW, rpm: 0, tpm: 0, tokens: 0, member: `m${seq++}`, ...over }),
  };
}

describe(MemoryLimiter.name, () => {
  it('admits up to the RPM, then refuses until the oldest request leaves the window', () => {
    const { admit, at } = setup();
    at(0);
    expect(admit({ rpm: 2 }).allowed).toBe(true);
    at(300);
    const second = admit({ rpm: 2 });
    expect(second).toMatchObject({ allowed: true, requests: { used: 2, resetMs: WINDOW } });
    at(500);
    expect(admit({ rpm: 2 })).toMatchObject({ allowed: false, limited: 'requests', retryAfterMs: 500, requests: { used: 2, resetMs: 800 } });
    at(1_000);
    expect(admit({ rpm: 2 }).allowed).toBe(true);
    expect(admit({ rpm: 2 })).toMatchObject({ allowed: false, retryAfterMs: 300 });
  });

  it('refuses on tokens without using a request slot', () => {
    const { admit } = setup();
    expect(admit({ rpm: 2, tpm: 100, tokens: 80 }).allowed).toBe(true);
    expect(admit({ rpm: 2, tpm: 100, tokens: 30 })).toMatchObject({ allowed: false, limited: 'tokens', retryAfterMs: WINDOW, requests: { used: 1 }, tokens: { used: 80 } });
    expect(admit({ rpm: 2, tpm: 100, tokens: 20 })).toMatchObject({ allowed: true, requests: { used: 2 }, tokens: { used: 100 } });
  });

  it('says when enough old reservations will have left for a request to fit', () => {
    const { admit, at } = setup();
    at(0);
    admit({ tpm: 100, tokens: 40 });
    at(100);
    admit({ tpm: 100, tokens: 40 });
    at(200);
    // 80 held; 70 more needs 50 freed: both reservations, the second leaves at 1 100
    expect(admit({ tpm: 100, tokens: 70 })).toMatchObject({ allowed: false, retryAfterMs: 900 });
    // 30 more needs 10 freed: the first leaves at 1 000
    expect(admit({ tpm: 100, tokens: 30 })).toMatchObject({ allowed: false, retryAfterMs: 800 });
  });

  it('refuses an estimate bigger than the whole TPM with no retry time', () => {
    const { admit } = setup();
    const result = admit({ rpm: 5, tpm: 100, tokens: 101 });
    expect(result).toMatchObject({ allowed: false, limited: 'tokens' });
    expect(result.retryAfterMs).toBeUndefined();
  });

  it('settles a reservation in place: lower gives tokens back, higher charges more, 0 releases', () => {
    const { limiter, admit } = setup();
    expect(admit({ tpm: 100, tokens: 60, member: 'a' }).allowed).toBe(true);
    limiter.settle({ base: 'k', windowMs: WINDOW, member: 'a', reserved: 60, actual: 10 });
    expect(admit({ tpm: 100, tokens: 0 }).tokens.used).toBe(10);
    limiter.settle({ base: 'k', windowMs: WINDOW, member: 'a', reserved: 60, actual: 95 });
    expect(admit({ tpm: 100, tokens: 10 })).toMatchObject({ allowed: false, tokens: { used: 95 } });
    limiter.settle({ base: 'k', windowMs: WINDOW, member: 'a', reserved: 60, actual: 0 });
    expect(admit({ tpm: 100, tokens: 100 })).toMatchObject({ allowed: true, tokens: { used: 100 } });
  });

  it('charges only the overrun, at settlement time, for a reservation that already left the window', () => {
    const { limiter, admit, at } = setup();
    at(0);
    admit({ tpm: 100, tokens: 30, member: 'long' });
    at(1_500);
    limiter.settle({ base: 'k', windowMs: WINDOW, member: 'long', reserved: 30, actual: 50 });
    expect(admit({ tpm: 100, tokens: 0 }).tokens).toEqual({ used: 20, resetMs: WINDOW });
    limiter.settle({ base: 'k', windowMs: WINDOW, member: 'gone', reserved: 30, actual: 10 });
    expect(admit({ tpm: 100, tokens: 0 }).tokens.used).toBe(20);
  });

  it('forgets a window once everything in it has expired, even if its key never comes back', () => {
    const { limiter, admit, at } = setup();
    admit({ base: 'once', rpm: 1, tpm: 10, tokens: 5 });
    expect(limiter.size).toBe(1);
    at(WINDOW + 1);
    // idle windows are swept every 1 000 operations
    for (let i = 1; i < 1_000; i++) admit({ base: 'unlimited' });
    expect(limiter.size).toBe(0);
  });

  it('keeps keys apart', () => {
    const { admit } = setup();
    expect(admit({ base: 'a', rpm: 1 }).allowed).toBe(true);
    expect(admit({ base: 'b', rpm: 1 }).allowed).toBe(true);
    expect(admit({ base: 'a', rpm: 1 }).allowed).toBe(false);
  });
});
