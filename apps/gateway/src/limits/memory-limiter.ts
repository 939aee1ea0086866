import type { AdmitRequest, AdmitResult, SettleRequest } from './limit-backend';

interface TokenEntry {
  at: number;
  member: string;
  tokens: number;
}

interface Windows {
  /** Admission times, oldest first. */
  requests: number[];
  /** Reservations, oldest first. */
  tokens: TokenEntry[];
  total: number;
}

/** Drop idle windows every this many operations, so keys seen once do not stay forever. */
const SWEEP_EVERY = 1_000;

/**
 * The per-replica fallback: the same sliding-window-log semantics as `ADMIT_SCRIPT` and
 * `SETTLE_SCRIPT` (see `rate-limit.lua.ts`), in process memory. Synchronous, so each call is as
 * atomic as the script.
 */
export class MemoryLimiter {
  private readonly windows = new Map<string, Windows>();
  private operations = 0;
  private last = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  admit(req: AdmitRequest): AdmitResult {
    this.maybeSweep(req.windowMs);
    const now = this.now();
    const cutoff = now - req.windowMs;
    const w = this.windowsFor(req.base);
    if (req.rpm > 0) prune(w.requests, (at) => at <= cutoff);
    if (req.tpm > 0) pruneTokens(w, cutoff);

    let limited: AdmitResult['limited'];
    let retryAfterMs: number | undefined;
    const count = w.requests.length;
    if (req.rpm > 0 && count >= req.rpm) {
      limited = 'requests';
      retryAfterMs = (w.requests[count - req.rpm] as number) + req.windowMs - now;
    }
    if (req.tpm > 0 && req.tokens > req.tpm) {
      limited = 'tokens';
      retryAfterMs = undefined;
    } else if (req.tpm > 0 && w.total + req.tokens > req.tpm) {
      limited ??= 'tokens';
      const wait = tokensFreeAt(w, w.total + req.tokens - req.tpm, now + req.windowMs) + req.windowMs - now;
      retryAfterMs = Math.max(retryAfterMs ?? -1, wait);
    }

    if (limited === undefined) {
      if (req.rpm > 0) w.requests.push(now);
      if (req.tpm > 0 && req.tokens > 0) {
        w.tokens.push({ at: now, member: req.member, tokens: req.tokens });
        w.total += req.tokens;
      }
    }
    const result: AdmitResult = {
      allowed: limited === undefined,
      requests: { used: req.rpm > 0 ? w.requests.length : 0, resetMs: resetMs(w.requests.at(-1), now, req.windowMs) },
      tokens: { used: req.tpm > 0 ? w.total : 0, resetMs: resetMs(w.tokens.at(-1)?.at, now, req.windowMs) },
    };
    if (limited !== undefined) result.limited = limited;
    if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
    this.dropIfEmpty(req.base, w);
    return result;
  }

  settle(req: SettleRequest): void {
    const now = this.now();
    const w = this.windowsFor(req.base);
    pruneTokens(w, now - req.windowMs);
    const index = w.tokens.findIndex((e) => e.member === req.member);
    const entry = w.tokens[index];
    if (entry) {
      w.total += req.actual - entry.tokens;
      if (req.actual > 0) entry.tokens = req.actual;
      else w.tokens.splice(index, 1);
    } else if (req.actual > req.reserved) {
      w.tokens.push({ at: now, member: `${req.member}:overrun`, tokens: req.actual - req.reserved });
      w.total += req.actual - req.reserved;
    }
    this.dropIfEmpty(req.base, w);
  }

  /** Windows held, for tests. */
  get size(): number {
    return this.windows.size;
  }

  /** Never goes backwards, so a clock step cannot resurrect an entry. */
  private now(): number {
    this.last = Math.max(this.last, this.clock());
    return this.last;
  }

  private windowsFor(base: string): Windows {
    let w = this.windows.get(base);
    if (!w) {
      w = { requests: [], tokens: [], total: 0 };
      this.windows.set(base, w);
    }
    return w;
  }

  private dropIfEmpty(base: string, w: Windows): void {
    if (w.requests.length === 0 && w.tokens.length === 0) this.windows.delete(base);
  }

  private maybeSweep(windowMs: number): void {
    if (++this.operations % SWEEP_EVERY !== 0) return;
    const cutoff = this.now() - windowMs;
    for (const [base, w] of this.windows) {
      prune(w.requests, (at) => at <= cutoff);
      pruneTokens(w, cutoff);
      this.dropIfEmpty(base, w);
    }
  }
}

/** Removes the leading run of `items` that `expired` accepts (the log is oldest first). */
function prune<T>(items: T[], expired: (item: T) => boolean): void {
  let n = 0;
  while (n < items.length && expired(items[n] as T)) n++;
  if (n > 0) items.splice(0, n);
}

function pruneTokens(w: Windows, cutoff: number): void {
  let freed = 0;
  prune(w.tokens, (e) => {
    if (e.at > cutoff) return false;
    freed += e.tokens;
    return true;
  });
  w.total = w.tokens.length === 0 ? 0 : w.total - freed;
}

/** The reservation time of the entry whose expiry, with all older ones, frees `excess` tokens. */
function tokensFreeAt(w: Windows, excess: number, fallback: number): number {
  let freed = 0;
  for (const e of w.tokens) {
    freed += e.tokens;
    if (freed >= excess) return e.at;
  }
  return fallback;
}

function resetMs(newest: number | undefined, now: number, windowMs: number): number {
  return newest === undefined ? 0 : newest + windowMs - now;
}
