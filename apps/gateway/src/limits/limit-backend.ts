/**
 * The rate limiter's algorithm, shared by both backends (Redis: `rate-limit.lua.ts`, memory:
 * `memory-limiter.ts`): a **sliding window of sub-windows** ("slices").
 *
 * The window of `windowMs` is cut into `WINDOW_SLICES` slices of `sliceMs = ceil(windowMs /
 * WINDOW_SLICES)`. Each key holds one request counter and one token counter per slice, for the
 * current slice and the `WINDOW_SLICES` before it; a check sums them. State per key and window is
 * bounded (2 × 21 counters) and a check costs the same at RPM 60 as at RPM 1 000 000: it never
 * walks a log of the key's requests (the sliding-window log it replaces did, so a key's cost grew
 * with its own traffic).
 *
 * Why the error bound is acceptable: a request admitted at `t` stays counted until the end of
 * slice `slice(t) + WINDOW_SLICES`, i.e. between `windowMs` and `windowMs + sliceMs` after `t`.
 * Every request of ANY window of `windowMs` is therefore counted: the limit is never exceeded, in
 * any window, across every replica (the Redis script is atomic on one shared clock) — the promise
 * the exact log made. The only error is in the caller's disfavour and small: a slot frees at most
 * one slice (1/20 of the window: 3 s of a minute) later than an exact log would free it, and
 * `Retry-After` says so truthfully. Nothing is approximated by assuming traffic was evenly spread
 * (the two-counter sliding window does that, and can let through twice the limit in a burst).
 */
export const WINDOW_SLICES = 20;

/** Slice length for a window. */
export const sliceMsOf = (windowMs: number): number => Math.max(1, Math.ceil(windowMs / WINDOW_SLICES));

/** One check of a request counter and/or a token counter, as both backends run it. */
export interface AdmitRequest {
  /** Name of the key's counters (Redis: `<base>:sw`). */
  base: string;
  windowMs: number;
  /** 0 = requests are not limited (and not counted). */
  rpm: number;
  /** 0 = tokens are not limited (and not counted). */
  tpm: number;
  tokens: number;
}

export interface AdmitResult {
  allowed: boolean;
  limited?: 'requests' | 'tokens';
  /** Absent when allowed, and when the estimate alone is more than the TPM (it can never fit). */
  retryAfterMs?: number;
  requests: { used: number; resetMs: number };
  tokens: { used: number; resetMs: number };
  /** The slice the admission was counted in: a settlement corrects that slice. */
  slice: number;
}

export interface SettleRequest {
  base: string;
  windowMs: number;
  /** From the admission's `AdmitResult.slice`. */
  slice: number;
  reserved: number;
  actual: number;
}

/** The Redis hash of one key's counters (fields `r<slice>`, `t<slice>`); a hash tag in `base` keeps it in one cluster slot. */
export const countersKey = (base: string): string => `${base}:sw`;

