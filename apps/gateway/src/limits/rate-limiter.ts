import type { JsonLogger } from '@iir/platform';
import type { Redis } from 'ioredis';
import type { AdmitRequest, AdmitResult, SettleRequest } from './limit-backend';
import { MemoryLimiter } from './memory-limiter';
import { rateLimitHeaders } from './rate-limit-headers';
import { countFallbackCheck, countRefusal, watchDegraded } from './rate-limit-metrics';
import { RedisLimiter } from './redis-limiter';

export { estimateTokens } from './token-estimate';

/** A key's limits; `null`, `undefined` or `0` = unlimited. */
export interface KeyLimits {
  keyId: string;
  rpm?: number | null;
  tpm?: number | null;
}

/** Tokens held for an admitted request, to `settle` or `release`. Opaque to callers. */
export interface Reservation {
  readonly requestId: string;
  /** Where the tokens are held; a settlement goes to the same place. `none`: nothing to settle. */
  readonly backend: 'redis' | 'memory' | 'none';
  readonly base: string;
  /** The window slice the tokens were counted in. */
  readonly slice: number;
  readonly reservedTokens: number;
  /** Set by the first settlement: a reservation is settled once. */
  settled?: boolean;
}

export interface LimitOutcome {
  allowed: boolean;
  limited?: 'requests' | 'tokens' | 'provider_tokens';
  /**
   * When the earliest slot that would let this request in frees up. Absent when allowed, and when
   * the estimate alone is more than the TPM (`tooLarge`): no wait would help.
   */
  retryAfterMs?: number;
  /** The request's estimate exceeds the whole TPM limit. */
  tooLarge?: boolean;
  /** `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` for the limited dimensions. */
  headers: Record<string, string>;
  /** Present when allowed. */
  reservation?: Reservation;
}

export interface RateLimiterOptions {
  logger: JsonLogger;
  /** Default 60 000 (per-minute limits). */
  windowMs?: number;
  /** Default `iir:rl:`; tests use their own. */
  keyPrefix?: string;
  /** The in-memory fallback's clock (tests). */
  clock?: () => number;
}

type Mode = 'starting' | 'redis' | 'memory';
const CONTEXT = 'RateLimiter';

/**
 * Per-key RPM/TPM and per-provider TPM, shared by every gateway replica through Redis (one atomic
 * script per check, see `rate-limit.lua.ts`). When Redis is not configured or not reachable, each
 * replica limits on its own from memory with the same semantics; it never throws because of Redis.
 *
 * Per request: `admitKey` (then `admitProvider` once the target is known) before the upstream
 * call; `settle` each reservation with the real usage after it; `release` it if the request never
 * reached an upstream.
 */
export class RateLimiter {
  private readonly store: RedisLimiter | undefined;
  private readonly memory: MemoryLimiter;
  private readonly windowMs: number;
  private readonly prefix: string;
  private readonly logger: JsonLogger;
  private mode: Mode = 'starting';

  constructor(redis: Redis | undefined, options: RateLimiterOptions) {
    this.store = redis ? new RedisLimiter(redis) : undefined;
    this.memory = new MemoryLimiter(options.clock);
    this.windowMs = options.windowMs ?? 60_000;
    this.prefix = options.keyPrefix ?? 'iir:rl:';
    this.logger = options.logger;
    watchDegraded(this);
    if (!this.store) this.toMemory('Redis is not configured');
  }

  /** True while checks are answered from this replica's memory instead of Redis. */
  get degraded(): boolean {
    return this.mode === 'memory';
  }

  /** Checks the key's RPM and TPM together: a refusal by either consumes neither. */
  async admitKey(limits: KeyLimits, requestId: string, estimatedTokens: number): Promise<LimitOutcome> {
    const rpm = limitOf(limits.rpm);
    const tpm = limitOf(limits.tpm);
    const base = `${this.prefix}k:{${limits.keyId}}`;
    const outcome = await this.admit({ base, rpm, tpm }, requestId, estimatedTokens);
    if (!outcome.allowed) countRefusal(outcome.limited ?? 'requests');
    return outcome;
  }

  /** Checks a provider's TPM (the gateway's budget with that upstream); no requests are counted. */
  async admitProvider(provider: string, tpm: number, requestId: string, estimatedTokens: number): Promise<LimitOutcome> {
    const base = `${this.prefix}p:{${provider}}`;
    const outcome = await this.admit({ base, rpm: 0, tpm: limitOf(tpm) }, requestId, estimatedTokens);
    if (!outcome.allowed) {
      outcome.limited = 'provider_tokens';
      countRefusal('provider_tokens');
    }
    return outcome;
  }

  /** Replaces the reservation's estimate with the real usage (total tokens): a refund or an extra charge. */
  async settle(reservation: Reservation, actualTokens: number): Promise<void> {
    if (reservation.backend === 'none' || reservation.settled) return;
    reservation.settled = true;
    const req: SettleRequest = {
      base: reservation.base,
      windowMs: this.windowMs,
      slice: reservation.slice,
      reserved: reservation.reservedTokens,
      actual: tokenCount(actualTokens),
    };
    if (reservation.backend === 'memory') return this.memory.settle(req);
    // Made in Redis: settle it there or not at all (a memory settlement would refund tokens that
    // memory never held). Lost, the estimate simply stays charged until it leaves the window.
    if (!this.store?.ready) return;
    try {
      await this.store.settle(req);
      this.toRedis();
    } catch (error) {
      this.toMemory(error);
    }
  }

  /** Gives back the tokens of a request that never reached an upstream; its request slot stays used. */
  release(reservation: Reservation): Promise<void> {
    return this.settle(reservation, 0);
  }

  private async admit(limits: { base: string; rpm: number; tpm: number }, requestId: string, estimatedTokens: number): Promise<LimitOutcome> {
    const tokens = tokenCount(estimatedTokens);
    const reservation = (backend: Reservation['backend'], slice: number): Reservation => ({
      requestId,
      backend: limits.tpm > 0 ? backend : 'none',
      base: limits.base,
      slice,
      reservedTokens: limits.tpm > 0 ? tokens : 0,
    });
    if (limits.rpm === 0 && limits.tpm === 0) return { allowed: true, headers: {}, reservation: reservation('none', 0) };

    const req: AdmitRequest = { ...limits, windowMs: this.windowMs, tokens };
    const { result, backend } = await this.run(req);
    const headers = rateLimitHeaders(
      limits.rpm > 0 ? { limit: limits.rpm, ...result.requests } : undefined,
      limits.tpm > 0 ? { limit: limits.tpm, ...result.tokens } : undefined,
    );
    if (result.allowed) return { allowed: true, headers, reservation: reservation(backend, result.slice) };
    const outcome: LimitOutcome = { allowed: false, headers, limited: result.limited ?? 'requests' };
    if (result.retryAfterMs !== undefined) outcome.retryAfterMs = Math.max(1, Math.ceil(result.retryAfterMs));
    else outcome.tooLarge = true;
    return outcome;
  }

  /** Redis when its connection is ready and answers; this replica's memory otherwise. */
  private async run(req: AdmitRequest): Promise<{ result: AdmitResult; backend: 'redis' | 'memory' }> {
    if (this.store) {
      if (this.store.ready) {
        try {
          const result = await this.store.admit(req);
          this.toRedis();
          return { result, backend: 'redis' };
        } catch (error) {
          this.toMemory(error);
        }
      } else {
        this.toMemory('the Redis connection is not ready');
      }
    }
    countFallbackCheck();
    return { result: this.memory.admit(req), backend: 'memory' };
  }

  private toMemory(reason: unknown): void {
    if (this.mode === 'memory') return;
    this.mode = 'memory';
    const why = reason instanceof Error ? reason.message : String(reason);
    this.logger.write('warn', 'Rate limits fall back to per-replica memory: limits are no longer shared across replicas', { reason: why }, CONTEXT);
  }

  private toRedis(): void {
    if (this.mode === 'redis') return;
    const wasDegraded = this.mode === 'memory';
    this.mode = 'redis';
    if (wasDegraded) this.logger.write('info', 'Rate limits are back on Redis, shared across replicas', undefined, CONTEXT);
  }
}

/** 0 = unlimited; a fractional limit is rounded down, but never to unlimited. */
function limitOf(limit: number | null | undefined): number {
  return typeof limit === 'number' && Number.isFinite(limit) && limit > 0 ? Math.max(1, Math.floor(limit)) : 0;
}

function tokenCount(tokens: number): number {
  return Number.isFinite(tokens) && tokens > 0 ? Math.ceil(tokens) : 0;
}
