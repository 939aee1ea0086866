import type { IncomingHttpHeaders } from 'node:http';
import type { ChatCompletionRequest } from '@iir/contracts';

/** How the gateway's cache is set up (from config at boot). */
export interface CachePolicySettings {
  /** Off: nothing is read or stored, whatever the request asks. */
  enabled: boolean;
  /**
   * `deterministic` (default): requests with `temperature: 0` and one choice are cached without
   * being asked. `opt-in`: only requests that ask (`x-iir-cache: on`, `Cache-Control: max-age`).
   */
  mode?: 'deterministic' | 'opt-in';
}

export interface CacheDecision {
  /** Look the request up (a hit answers it without planning). */
  read: boolean;
  /** Store a successful answer. */
  write: boolean;
  /** Why, for logs. */
  reason: string;
  /** `Cache-Control: max-age=N`: a stored answer older than N seconds is not served. */
  maxAgeSeconds?: number;
}

/** The `x-iir-cache` response header and the `result` label of the requests metric. */
export type CacheResult = 'hit' | 'miss' | 'bypass';

/** Request header: `on` opts in (any temperature), `off` is `Cache-Control: no-store`. */
export const CACHE_HEADER = 'x-iir-cache';

/**
 * Whether to read and/or store a request's answer. Pure: the same body, headers and settings
 * always give the same decision.
 *
 * - `Cache-Control: no-store` or `x-iir-cache: off`: neither read nor store.
 * - Only requests deterministic by intent are cached by default — `temperature: 0` and `n` absent
 *   or 1 — since a sampled answer replayed is not what the client asked for. An explicit opt-in
 *   (`x-iir-cache: on`, or `Cache-Control: max-age=N`) caches any request, `n > 1` included.
 * - `Cache-Control: no-cache` (or `max-age=0`): do not read, but store the fresh answer.
 *
 * Tools do not prevent caching: the gateway never runs them, it only returns the model's tool
 * calls, so a cached tool call has the same effect as a fresh one (the client runs it either way).
 */
export function cacheDecision(
  body: ChatCompletionRequest,
  headers: IncomingHttpHeaders,
  settings: CachePolicySettings,
  /** The endpoint's answers never vary (embeddings): cached without `temperature: 0`. */
  deterministic = false,
): CacheDecision {
  if (!settings.enabled) return { read: false, write: false, reason: 'cache disabled' };
  const control = parseCacheControl(headerText(headers['cache-control']));
  const switched = headerText(headers[CACHE_HEADER]).trim().toLowerCase();
  if (control.noStore) return { read: false, write: false, reason: 'Cache-Control: no-store' };
  if (switched === 'off') return { read: false, write: false, reason: `${CACHE_HEADER}: off` };

  const optedIn = switched === 'on' || control.maxAge !== undefined;
  if (!optedIn) {
    if (settings.mode === 'opt-in') return { read: false, write: false, reason: 'not opted in' };
    if (deterministic) return { read: !(control.noCache || control.maxAge === 0), write: true, reason: 'deterministic endpoint' };
    if (body.temperature !== 0) return { read: false, write: false, reason: 'temperature is not 0' };
    if (body.n !== undefined && body.n !== null && body.n !== 1) return { read: false, write: false, reason: 'n is not 1' };
  }
  const why = optedIn ? 'opted in' : 'deterministic (temperature 0)';
  if (control.noCache || control.maxAge === 0) return { read: false, write: true, reason: `${why}; no-cache: refresh` };
  return { read: true, write: true, reason: why, ...(control.maxAge !== undefined ? { maxAgeSeconds: control.maxAge } : {}) };
}

interface CacheControl {
  noStore: boolean;
  noCache: boolean;
  maxAge?: number;
}

/** The request directives we honour; unknown ones are ignored, as RFC 9111 says. */
export function parseCacheControl(value: string): CacheControl {
  const control: CacheControl = { noStore: false, noCache: false };
  for (const part of value.split(',')) {
    const [rawName = '', rawArg] = part.split('=', 2);
    const name = rawName.trim().toLowerCase();
    if (name === 'no-store') control.noStore = true;
    else if (name === 'no-cache') control.noCache = true;
    else if (name === 'max-age' && rawArg !== undefined) {
      const arg = rawArg.trim().replace(/^"(.*)"$/, '$1');
      if (/^\d{1,10}$/.test(arg)) control.maxAge = Number(arg);
    }
  }
  return control;
}

function headerText(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

/** The `x-iir-cache` response header for a request: `hit`, `miss` (looked up, absent) or `bypass` (not looked up). */
export function cacheResult(decision: CacheDecision, hit: boolean): CacheResult {
  if (hit) return 'hit';
  return decision.read ? 'miss' : 'bypass';
}
