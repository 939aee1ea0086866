import type { Target } from '@iir/contracts';
import { ApiError } from '../errors/api-error';
import type { Principal } from '../auth/principal';
import type { LimitOutcome, RateLimiter, Reservation } from './rate-limiter';

export const REQUEST_LIMITS = Symbol('REQUEST_LIMITS');

/**
 * The request path's view of the rate limiter: a key's RPM/TPM before planning, a provider's TPM
 * before each target is tried, refusals as OpenAI-shaped 429s with `Retry-After` and the
 * `x-ratelimit-*` headers.
 */
export class RequestLimits {
  constructor(
    private readonly limiter: RateLimiter,
    /** Tokens per minute per provider name (`<PROVIDER>_TPM_LIMIT`); absent = unlimited. */
    private readonly providerTpm: Readonly<Record<string, number>>,
  ) {}

  /** Admits the request for its key, or throws the 429. Keys without limits cost nothing. */
  /** `estimate` is only computed when a limit needs it: most requests have none. */
  async admitKey(principal: Principal, requestId: string, estimate: () => number): Promise<{ reservation?: Reservation; headers: Record<string, string> }> {
    if (principal.keyId === null || (!principal.rpm && !principal.tpm)) return { headers: {} };
    const tokens = estimate();
    const outcome = await this.limiter.admitKey({ keyId: principal.keyId, rpm: principal.rpm, tpm: principal.tpm }, requestId, tokens);
    if (!outcome.allowed) throw refusal(outcome, tokens, 'this API key');
    return { ...(outcome.reservation ? { reservation: outcome.reservation } : {}), headers: outcome.headers };
  }

  /** A provider over its token budget is skipped (the plan falls back); the error says why. */
  async admitTarget(target: Target, requestId: string, estimate: () => number): Promise<Reservation | ApiError | undefined> {
    const tpm = this.providerTpm[target.provider];
    if (!tpm) return undefined;
    const tokens = estimate();
    const outcome = await this.limiter.admitProvider(target.provider, tpm, requestId, tokens);
    if (!outcome.allowed) return refusal(outcome, tokens, `provider '${target.provider}'`);
    return outcome.reservation;
  }

  async settle(reservations: Array<Reservation | undefined>, totalTokens: number | undefined): Promise<void> {
    await Promise.all(
      reservations.map((r) => (r === undefined ? undefined : totalTokens === undefined ? this.limiter.release(r) : this.limiter.settle(r, totalTokens))),
    );
  }

  get degraded(): boolean {
    return this.limiter.degraded;
  }
}

function refusal(outcome: LimitOutcome, estimate: number, whose: string): ApiError {
  const what = outcome.limited === 'requests' ? 'requests per minute' : 'tokens per minute';
  const message = outcome.tooLarge
    ? `Request too large for ${whose}: it needs about ${estimate} tokens, more than the ${what} limit allows. Send a shorter request or a lower max_tokens.`
    : `Rate limit reached for ${whose} (${what}). Retry after the time in the Retry-After header.`;
  return new ApiError('rate_limit_exceeded', message, {
    headers: outcome.headers,
    ...(outcome.retryAfterMs !== undefined ? { retryAfterSeconds: Math.max(1, Math.ceil(outcome.retryAfterMs / 1000)) } : {}),
  });
}
