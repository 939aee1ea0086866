import { type AdmitRequest, WINDOW_SLICES, sliceMsOf } from './limit-backend';
import { MemoryLimiter } from './memory-limiter';

const WINDOW = 1_000;
const SLICE = sliceMsOf(WINDOW); // 50 ms
const START = 10_000; // slice 200

function setup(): { limiter: MemoryLimiter; at: (ms: number) => void; admit: (over: Partial<AdmitRequest>) => ReturnType<MemoryLimiter['admit']> } {
  let now = START;
  const limiter = new MemoryLimiter(() => now);
  return {
    limiter,
    at: (ms) => {
      now = START + ms;
    },
    admit: (over) => limiter.admit({ base: 'k', windowMs: WINDOW, rpm: 0, tpm: 0, tokens: 0, ...over }),
  };
}

/** When a request admitted at `ms` (from START) stops being counted: the end of its slice + the window. */
const leavesAt = (ms: number): number => (Math.floor((START + ms) / SLICE) + WINDOW_SLICES + 1) * SLICE - START;

describe(MemoryLimiter.name, () => {
  it('admits up to the RPM, then refuses until the oldest request’s slice leaves the window', () => {
    const { admit, at } = setup();
    at(0);
    expect(admit({ rpm: 2 }).allowed).toBe(true);
    at(300);
    expect(admit({ rpm: 2 })).toMatchObject({ allowed: true, requests: { used: 2, resetMs: leavesAt(300) - 300 } });
    at(500);
    expect(admit({ rpm: 2 })).toMatchObject({ allowed: false, limited: 'requests', retryAfterMs: leavesAt(0) - 500, requests: { used: 2, resetMs: leavesAt(300) - 500 } });
    // exactly one window later the first request is still held (up to one slice longer than a log would)
    at(1_000);
    expect(admit({ rpm: 2 }).allowed).toBe(false);
    at(leavesAt(0));
    expect(admit({ rpm: 2 }).allowed).toBe(true);
    expect(admit({ rpm: 2 })).toMatchObject({ allowed: false, retryAfterMs: leavesAt(300) - leavesAt(0) });
  });

  it('never lets more than the limit into any window, and refuses only for requests of the last window and one slice', () => {
    let now = START;
    const limiter = new MemoryLimiter(() => now);
    let seed = 7;
    const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const admitted: number[] = [];
    const rpm = 25;
    for (let i = 0; i < 5_000; i++) {
      now += Math.floor(random() * 30);
      const result = limiter.admit({ base: 'k', windowMs: WINDOW, rpm, tpm: 0, tokens: 0 });
      const inWindow = admitted.filter((t) => t > now - WINDOW).length;
      const inWindowAndSlice = admitted.filter((t) => t > now - WINDOW - SLICE).length;
      if (result.allowed) {
        admitted.push(now);
        expect(inWindow + 1).toBeLessThanOrEqual(rpm);
      } else {
        expect(inWindowAndSlice).toBeGreaterThanOrEqual(rpm);
        expect(result.retryAfterMs).toBeGreaterThan(0);
        expect(result.retryAfterMs).toBeLessThanOrEqual(WINDOW + SLICE);
      }
    }
    expect(admitted.length).toBeGreaterThan(1_000);
  });

  it('refuses on tokens without using a request slot', () => {
    const { admit } = setup();
    expect(admit({ rpm: 2, tpm: 100, tokens: 80 }).allowed).toBe(true);
    expect(admit({ rpm: 2, tpm: 100, tokens: 30 })).toMatchObject({ allowed: false, limited: 'tokens', retryAfterMs: leavesAt(0), requests: { used: 1 }, tokens: { used: 80 } });
    expect(admit({ rpm: 2, tpm: 100, tokens: 20 })).toMatchObject({ allowed: true, requests: { used: 2 }, tokens: { used: 100 } });
  });

  it('says when enough old reservations will have left for a request to fit', () => {
    const { admit, at } = setup();
    at(0);
    admit({ tpm: 100, tokens: 40 });
    at(100);
    admit({ tpm: 100, tokens: 40 });
    at(200);
    // 80 held; 70 more needs 50 freed: both reservations, the second's slice leaves last
    expect(admit({ tpm: 100, tokens: 70 })).toMatchObject({ allowed: false, retryAfterMs: leavesAt(100) - 200 });
    // 30 more needs 10 freed: the first's
    expect(admit({ tpm: 100, tokens: 30 })).toMatchObject({ allowed: false, retryAfterMs: leavesAt(0) - 200 });
  });

  it('refuses an estimate bigger than the whole TPM with no retry time', () => {
    const { admit } = setup();
    const result = admit({ rpm: 5, tpm: 100, tokens: 101 });
    expect(result).toMatchObject({ allowed: false, limited: 'tokens' });
    expect(result.retryAfterMs).toBeUndefined();
  });

  it('settles a reservation in its slice: lower gives tokens back, higher charges more, 0 releases', () => {
    const { limiter, admit } = setup();
    const first = admit({ tpm: 100, tokens: 60 });
    expect(first.allowed).toBe(true);
    limiter.settle({ base: 'k', windowMs: WINDOW, slice: first.slice, reserved: 60, actual: 10 });
    expect(admit({ tpm: 100, tokens: 0 }).tokens.used).toBe(10);
    limiter.settle({ base: 'k', windowMs: WINDOW, slice: first.slice, reserved: 10, actual: 95 });
    expect(admit({ tpm: 100, tokens: 10 })).toMatchObject({ allowed: false, tokens: { used: 95 } });
    limiter.settle({ base: 'k', windowMs: WINDOW, slice: first.slice, reserved: 95, actual: 0 });
    expect(admit({ tpm: 100, tokens: 100 })).toMatchObject({ allowed: true, tokens: { used: 100 } });
  });

  it('charges only the overrun, at settlement time, for a reservation that already left the window', () => {
    const { limiter, admit, at } = setup();
    at(0);
    const long = admit({ tpm: 100, tokens: 30 });
    at(1_500);
    limiter.settle({ base: 'k', windowMs: WINDOW, slice: long.slice, reserved: 30, actual: 50 });
    expect(admit({ tpm: 100, tokens: 0 }).tokens).toEqual({ used: 20, resetMs: leavesAt(1_500) - 1_500 });
    limiter.settle({ base: 'k', windowMs: WINDOW, slice: long.slice, reserved: 30, actual: 10 });
    expect(admit({ tpm: 100, tokens: 0 }).tokens.used).toBe(20);
  });

  it('keeps bounded state: the same counters at RPM 60 and RPM 1 000 000, and idle keys are forgotten', () => {
    const { limiter, admit, at } = setup();
    for (let i = 0; i < 20_000; i++) {
      at(i % 900);
      expect(admit({ base: 'huge', rpm: 1_000_000, tpm: 1_000_000_000, tokens: 3 }).allowed).toBe(true);
    }
    expect(admit({ base: 'huge', rpm: 1_000_000 }).requests.used).toBe(20_001);
    for (let k = 0; k < 100_000; k++) admit({ base: `key${k}`, rpm: 60 });
    expect(limiter.size).toBe(100_001);
    at(10 * WINDOW);
    // idle keys are swept every 1 000 operations
    for (let i = 0; i < 1_000; i++) admit({ base: 'unlimited' });
    expect(limiter.size).toBe(0);
  });

  it('keeps keys apart', () => {
    const { admit } = setup();
    expect(admit({ base: 'a', rpm: 1 }).allowed).toBe(true);
    expect(admit({ base: 'b', rpm: 1 }).allowed).toBe(true);
    expect(admit({ base: 'a', rpm: 1 }).allowed).toBe(false);
  });
});
