import type { ChatCompletionRequest } from '@iir/contracts';
import type { JsonLogger } from '@iir/platform';
import { cacheKey, type CacheKind, type CacheSurface } from './cache-key';
import { cacheMetrics, type CacheMetrics } from './cache-metrics';
import { cacheResult, type CacheDecision, type CacheResult } from './cache-policy';
import type { CacheStore } from './cache-store';
import type { CacheMeta, CachedResponse } from './cached-response';

export type { CacheStore } from './cache-store';
export type { CacheMeta, CachedResponse, CachedStream } from './cached-response';

export interface ResponseCacheOptions {
  /** `CACHE_TTL`: how long an answer is kept, in seconds (0 or less stores nothing). */
  ttlSeconds: number;
  logger: JsonLogger;
  /** Default `iir:cache:`; tests give each their own. */
  keyPrefix?: string;
  /** A serialized entry larger than this is not stored (default 1 MiB). */
  maxEntryBytes?: number;
  /**
   * Entries this replica keeps parsed in memory in front of a shared store (0 = none): a hot entry
   * is answered without a Redis round trip or a parse. Entries never change during their TTL, so a
   * hot copy is the same answer; it is re-read from the store at least every 10 s (another replica's
   * `no-cache` refresh is seen by then).
   */
  hotEntries?: number;
}

const HOT_MAX_MS = 10_000;

export interface CacheLookup {
  result: CacheResult;
  cached?: CachedResponse;
}

const DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024;

/**
 * The gateway's exact-match response cache over a store (Redis, or memory in embedded mode).
 * Never throws and never waits on a sick store longer than the store's own timeout: a failing
 * store reads as a miss (`bypass` in the metrics) and drops writes, so requests keep flowing.
 */
export class ResponseCache {
  private readonly prefix: string;
  private readonly maxEntryBytes: number;
  private readonly metrics: CacheMetrics = cacheMetrics();
  private readonly hot = new Map<string, { entry: CachedResponse; until: number }>();

  constructor(
    private readonly store: CacheStore,
    private readonly options: ResponseCacheOptions,
  ) {
    this.prefix = options.keyPrefix ?? 'iir:cache:';
    this.maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  }

  get ttlSeconds(): number {
    return this.options.ttlSeconds;
  }

  /**
   * The key for a request on one endpoint. `scope` (e.g. the caller's key id) keeps tenants'
   * entries apart; without it, identical requests share an answer across callers.
   */
  key(surface: CacheSurface, body: ChatCompletionRequest, kind: CacheKind, scope?: string): string {
    return cacheKey(this.prefix, surface, body, kind, scope);
  }

  /** A stored answer, or undefined (absent, expired, older than `maxAgeSeconds`, unreadable, store down). */
  async get(key: string, maxAgeSeconds?: number): Promise<CachedResponse | undefined> {
    const read = await this.read(key, maxAgeSeconds);
    return read === 'failed' ? undefined : read;
  }

  /**
   * The lookup the request path makes: honours the decision, counts the result in
   * `iir_gateway_cache_requests_total` and says what to send as `x-iir-cache`.
   */
  async lookup(key: string, decision: CacheDecision): Promise<CacheLookup> {
    if (!decision.read) return this.counted({ result: cacheResult(decision, false) });
    const read = await this.read(key, decision.maxAgeSeconds);
    if (read === 'failed') return this.counted({ result: 'bypass' });
    return this.counted(read ? { result: 'hit', cached: read } : { result: 'miss' });
  }

  /** Stores an answer; resolves (never rejects) once stored or dropped. */
  async put(key: string, value: CachedResponse, ttlSeconds: number = this.options.ttlSeconds): Promise<void> {
    if (!(ttlSeconds > 0)) return;
    const text = JSON.stringify(value);
    if (Buffer.byteLength(text) > this.maxEntryBytes) {
      this.options.logger.write('debug', 'response too large to cache', { key, bytes: Buffer.byteLength(text) });
      return;
    }
    try {
      await this.store.set(key, text, ttlSeconds);
      // Only what the shared store holds: with the store down, the cache is bypassed, not half-kept.
      this.remember(key, value, Math.min(value.meta.storedAt + ttlSeconds * 1000, Date.now() + HOT_MAX_MS));
    } catch (err) {
      this.failed('cache store failed; answer not stored', key, err);
    }
  }

  private counted(lookup: CacheLookup): CacheLookup {
    this.metrics.requests.inc({ result: lookup.result });
    return lookup;
  }

  private remember(key: string, entry: CachedResponse, until: number): void {
    const max = this.options.hotEntries ?? 0;
    if (max <= 0 || until <= Date.now()) return;
    this.hot.delete(key);
    this.hot.set(key, { entry, until });
    if (this.hot.size > max) {
      const oldest = this.hot.keys().next().value;
      if (oldest !== undefined) this.hot.delete(oldest);
    }
  }

  private async read(key: string, maxAgeSeconds: number | undefined): Promise<CachedResponse | undefined | 'failed'> {
    const now = Date.now();
    const hot = this.hot.get(key);
    if (hot) {
      if (hot.until > now) {
        if (maxAgeSeconds !== undefined && now - hot.entry.meta.storedAt > maxAgeSeconds * 1000) return undefined;
        return hot.entry;
      }
      this.hot.delete(key);
    }
    let raw: Buffer | string | undefined;
    try {
      raw = await this.store.get(key);
    } catch (err) {
      this.failed('cache store failed; treated as a miss', key, err);
      return 'failed';
    }
    if (raw === undefined) return undefined;
    const entry = parseEntry(typeof raw === 'string' ? raw : raw.toString('utf8'));
    if (!entry) {
      // Counted as an error, but a miss: the fresh answer will overwrite it.
      this.failed('unreadable cache entry; treated as a miss', key);
      return undefined;
    }
    this.remember(key, entry, Math.min(entry.meta.storedAt + this.options.ttlSeconds * 1000, now + HOT_MAX_MS));
    if (maxAgeSeconds !== undefined && Date.now() - entry.meta.storedAt > maxAgeSeconds * 1000) return undefined;
    return entry;
  }

  /** Counted always; logged at debug only — losing Redis is logged once by its client. */
  private failed(msg: string, key: string, err?: unknown): void {
    this.metrics.errors.inc();
    this.options.logger.write('debug', msg, { key, ...(err ? { err } : {}) });
  }
}

/** The seconds since an answer was stored: the `Age` header of a hit. */
export function ageSeconds(meta: CacheMeta, now = Date.now()): number {
  return Math.max(0, Math.floor((now - meta.storedAt) / 1000));
}

/**
 * The headers of a hit: the routing receipt of the original call (where it ran), marked as served
 * from the cache, with no upstream attempt made.
 */
export function cacheHitHeaders(meta: CacheMeta, now = Date.now()): Record<string, string> {
  return {
    'x-iir-cache': 'hit',
    'x-iir-model': meta.model,
    'x-iir-target': meta.target,
    'x-iir-provider': meta.provider,
    'x-iir-attempts': '0',
    age: String(ageSeconds(meta, now)),
  };
}

function parseEntry(text: string): CachedResponse | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = value as Partial<Record<'kind' | 'body' | 'events' | 'meta', unknown>>;
  const meta = entry.meta as Partial<CacheMeta> | undefined;
  if (typeof meta !== 'object' || meta === null || typeof meta.storedAt !== 'number' || typeof meta.target !== 'string') return undefined;
  if (entry.kind === 'json' && 'body' in entry) return value as CachedResponse;
  if (entry.kind === 'stream' && Array.isArray(entry.events) && entry.events.every((e) => typeof e === 'string')) return value as CachedResponse;
  return undefined;
}
