import { AuthClient, type KeyRevokedEvent, type KeyVerifyResponse, type Subscription } from '@iir/contracts';
import { JsonLogger } from '@iir/platform';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import { AUTH_CLIENT } from '../gateway.tokens';
import { AUTH_SETTINGS, type AuthSettings } from './auth-settings';

interface Cached {
  result: KeyVerifyResponse;
  at: number;
}

const MAX_ENTRIES = 100_000;
/** Long enough to outlive any verify answer that was in flight when a revocation arrived. */
const REVOKED_MEMORY_MS = 10 * 60_000;

/**
 * Verified keys, by the SHA-256 of the secret, cached for a short while so a steady key costs no bus
 * hop. Revocations are broadcast by `auth` and purge every replica's entry at once; the TTL bounds
 * the damage of a missed event. A usable key's answer in its second TTL is still used while a fresh
 * one is fetched in the background (once): a steady key never waits on `auth`, whose database may
 * be busy writing the ledger, and a missed revocation lasts at most two TTLs. Concurrent misses
 * for one key share one call; while `auth` is unreachable a key verified within the stale window
 * keeps working, until it expires: expiry and revocation are checked every time a cached or stale
 * answer is used.
 */
@Injectable()
export class KeyVerifier implements OnModuleInit, OnApplicationShutdown {
  private readonly cache = new Map<string, Cached>();
  private readonly inFlight = new Map<string, Promise<KeyVerifyResponse>>();
  private readonly revokedIds = new Map<string, number>();
  private subscription: Subscription | undefined;

  constructor(
    @Inject(AUTH_CLIENT) private readonly auth: AuthClient,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    private readonly logger: JsonLogger,
  ) {}

  onModuleInit(): void {
    this.subscription = this.auth.onKeyRevoked((event) => this.revoked(event));
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  async verify(hash: string): Promise<KeyVerifyResponse> {
    const now = Date.now();
    const hit = this.cache.get(hash);
    const ttl = this.settings.cacheTtlMs;
    if (hit && now - hit.at < ttl) return this.checked(hit.result, now);
    if (hit?.result.usable && now - hit.at < 2 * ttl) {
      // refreshed ahead: this request goes on with the answer it has (re-judged for expiry and revocation)
      this.fetch(hash, hit).catch(() => undefined);
      return this.checked(hit.result, now);
    }
    return this.fetch(hash, hit);
  }

  /** One call to `auth` per key at a time, shared by whoever asks meanwhile. */
  private fetch(hash: string, hit: Cached | undefined): Promise<KeyVerifyResponse> {
    let pending = this.inFlight.get(hash);
    if (!pending) {
      pending = this.ask(hash, hit).finally(() => this.inFlight.delete(hash));
      this.inFlight.set(hash, pending);
    }
    return pending;
  }

  private async ask(hash: string, stale: Cached | undefined): Promise<KeyVerifyResponse> {
    let result: KeyVerifyResponse;
    try {
      result = await this.auth.verifyKey(hash);
    } catch (error) {
      const now = Date.now();
      if (stale && stale.result.usable && now - stale.at < this.settings.staleTtlMs) return this.checked(stale.result, now);
      this.logger.write('warn', 'cannot verify an API key: auth is unreachable', { err: error });
      throw new ApiError('service_unavailable', 'API keys cannot be verified right now (the auth service is unreachable). Retry shortly.');
    }
    if (result.key && this.revokedIds.has(result.key.id)) result = { ...result, usable: false, reason: 'revoked' };
    // A miss for an unknown hash is cached too (briefly), so a client hammering a bad key costs no bus hop.
    this.cache.delete(hash);
    this.cache.set(hash, { result, at: Date.now() });
    if (this.cache.size > MAX_ENTRIES) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return this.checked(result, Date.now());
  }

  /**
   * A cached (or stale) answer is re-judged each time it is used: a key that has expired since, or
   * was revoked since, is refused even when `auth` cannot be asked.
   */
  private checked(result: KeyVerifyResponse, now: number): KeyVerifyResponse {
    if (!result.usable || !result.key) return result;
    if (this.revokedIds.has(result.key.id)) return { ...result, usable: false, reason: 'revoked' };
    const expiresAt = result.key.expiresAt ? Date.parse(result.key.expiresAt) : NaN;
    if (!Number.isNaN(expiresAt) && expiresAt <= now) return { ...result, usable: false, reason: 'expired' };
    return result;
  }

  private revoked(event: KeyRevokedEvent): void {
    this.cache.delete(event.hash);
    const now = Date.now();
    this.revokedIds.set(event.id, now);
    for (const [id, at] of this.revokedIds) {
      if (now - at < REVOKED_MEMORY_MS) break;
      this.revokedIds.delete(id);
    }
  }

  /** A key was just created here: forget any cached "unknown" for its hash. */
  forget(hash: string): void {
    this.cache.delete(hash);
  }
}
