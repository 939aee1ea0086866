import { type AdmitRequest, type AdmitResult, type SettleRequest, WINDOW_SLICES, sliceMsOf } from './limit-backend';

const RING = WINDOW_SLICES + 1;

/** One key's counters: a ring of `RING` slices, requests then tokens, and their running sums. */
interface Counters {
  /** [0, RING): requests per slice; [RING, 2·RING): tokens per slice; indexed by slice mod RING. */
  readonly ring: Float64Array;
  /** The newest slice the ring holds; slices `head - WINDOW_SLICES ..= head` are live. */
  head: number;
  requests: number;
  tokens: number;
}

/** Drop idle keys every this many operations, so keys seen once do not stay forever. */
const SWEEP_EVERY = 1_000;

/**
 * The per-replica fallback: the sliding window of slices of `limit-backend.ts`, in process
 * memory, with the same answers as the Redis script. Synchronous, so each call is as atomic as the
 * script. O(1) per check (a refusal's retry time walks at most 21 slices); 2 × 21 numbers per key.
 */
export class MemoryLimiter {
  private readonly keys = new Map<string, Counters>();
  private operations = 0;
  private last = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  admit(req: AdmitRequest): AdmitResult {
    this.maybeSweep(req.windowMs);
    const sliceMs = sliceMsOf(req.windowMs);
    const now = this.now();
    const slice = Math.floor(now / sliceMs);
    const c = this.countersFor(req.base, slice);
    advance(c, slice);

    let limited: AdmitResult['limited'];
    let retryAt: number | undefined;
    if (req.rpm > 0 && c.requests + 1 > req.rpm) {
      limited = 'requests';
      retryAt = freeAt(c, 0, c.requests + 1 - req.rpm, sliceMs);
    }
    if (req.tpm > 0 && req.tokens > req.tpm) {
      limited = 'tokens';
      retryAt = undefined;
    } else if (req.tpm > 0 && c.tokens + req.tokens > req.tpm) {
      limited ??= 'tokens';
      const at = freeAt(c, RING, c.tokens + req.tokens - req.tpm, sliceMs);
      retryAt = Math.max(retryAt ?? -Infinity, at);
    }

    if (limited === undefined) {
      if (req.rpm > 0) {
        bump(c.ring, slice % RING, 1);
        c.requests += 1;
      }
      if (req.tpm > 0 && req.tokens > 0) {
        bump(c.ring, RING + (slice % RING), req.tokens);
        c.tokens += req.tokens;
      }
    }
    const result: AdmitResult = {
      allowed: limited === undefined,
      requests: { used: req.rpm > 0 ? c.requests : 0, resetMs: resetMs(c, 0, now, sliceMs) },
      tokens: { used: req.tpm > 0 ? c.tokens : 0, resetMs: resetMs(c, RING, now, sliceMs) },
      slice,
    };
    if (limited !== undefined) result.limited = limited;
    if (retryAt !== undefined) result.retryAfterMs = retryAt - now;
    this.dropIfEmpty(req.base, c);
    return result;
  }

  settle(req: SettleRequest): void {
    const sliceMs = sliceMsOf(req.windowMs);
    const slice = Math.floor(this.now() / sliceMs);
    const delta = req.actual - req.reserved;
    if (delta === 0) return;
    const c = this.countersFor(req.base, slice);
    advance(c, slice);
    if (req.slice > slice - RING && req.slice <= slice) {
      // still counted: correct the slice it was reserved in (never below what it holds)
      const at = RING + (req.slice % RING);
      const change = Math.max(delta, -(c.ring[at] as number));
      bump(c.ring, at, change);
      c.tokens += change;
    } else if (delta > 0) {
      // the reservation has left the window (the request outlived it): charge only the overrun, now
      bump(c.ring, RING + (slice % RING), delta);
      c.tokens += delta;
    }
    this.dropIfEmpty(req.base, c);
  }

  /** Keys held, for tests. */
  get size(): number {
    return this.keys.size;
  }

  /** Never goes backwards, so a clock step cannot resurrect a count. */
  private now(): number {
    this.last = Math.max(this.last, this.clock());
    return this.last;
  }

  private countersFor(base: string, slice: number): Counters {
    let c = this.keys.get(base);
    if (!c) {
      c = { ring: new Float64Array(2 * RING), head: slice, requests: 0, tokens: 0 };
      this.keys.set(base, c);
    }
    return c;
  }

  private dropIfEmpty(base: string, c: Counters): void {
    if (c.requests === 0 && c.tokens === 0) this.keys.delete(base);
  }

  private maybeSweep(windowMs: number): void {
    if (++this.operations % SWEEP_EVERY !== 0) return;
    const slice = Math.floor(this.now() / sliceMsOf(windowMs));
    for (const [base, c] of this.keys) {
      advance(c, slice);
      this.dropIfEmpty(base, c);
    }
  }
}

/** Adds `by` to one counter of the ring. */
function bump(ring: Float64Array, at: number, by: number): void {
  ring[at] = (ring[at] as number) + by;
}

/** Moves the ring forward to `slice`, zeroing (and subtracting) the slices that left the window. */
function advance(c: Counters, slice: number): void {
  if (slice <= c.head) return;
  const steps = Math.min(slice - c.head, RING);
  for (let s = c.head + 1; s < c.head + 1 + steps; s++) {
    const i = s % RING;
    c.requests -= c.ring[i] as number;
    c.tokens -= c.ring[RING + i] as number;
    c.ring[i] = 0;
    c.ring[RING + i] = 0;
  }
  if (steps === RING) {
    c.requests = 0;
    c.tokens = 0;
  }
  c.head = slice;
}

/** When, oldest slices leaving first, `excess` of one counter (requests at 0, tokens at RING) is freed. */
function freeAt(c: Counters, offset: number, excess: number, sliceMs: number): number {
  let freed = 0;
  const oldest = c.head - WINDOW_SLICES;
  for (let s = oldest; s <= c.head; s++) {
    freed += c.ring[offset + (s % RING)] as number;
    if (freed >= excess) return (s + RING) * sliceMs;
  }
  return (c.head + RING) * sliceMs;
}

/** Until the newest non-empty slice of one counter leaves the window (0 when all are empty). */
function resetMs(c: Counters, offset: number, now: number, sliceMs: number): number {
  for (let s = c.head; s > c.head - RING; s--) {
    if ((c.ring[offset + (s % RING)] as number) > 0) return (s + RING) * sliceMs - now;
  }
  return 0;
}
