import { SUBJECTS, type ApiKeyInfo, type Bus, type KeyVerifyRequest, type KeyVerifyResponse, type Subscription } from '@iir/contracts';
import type { NatsBus } from '@iir/platform';
import { createHash } from 'node:crypto';

/**
 * `auth`'s key verification scripted on the bus, answering as the real service does (expiry judged
 * at each call); `stop()` takes it off the bus, so the gateway finds auth unreachable.
 */
export class ScriptedAuth {
  private readonly keys = new Map<string, ApiKeyInfo>();
  private subscription: Subscription | undefined;
  verifications = 0;
  private held: Array<() => void> | undefined;

  constructor(private readonly bus: Bus) {}

  async start(): Promise<this> {
    this.subscription = this.bus.handle(
      SUBJECTS.auth.verifyKey,
      async (payload): Promise<KeyVerifyResponse> => {
        this.verifications++;
        if (this.held) await new Promise<void>((resolve) => this.held?.push(resolve));
        const key = this.keys.get((payload as KeyVerifyRequest).hash);
        if (!key) return { usable: false, reason: 'unknown' };
        if (key.revokedAt) return { key, usable: false, reason: 'revoked' };
        if (key.expiresAt && Date.parse(key.expiresAt) <= Date.now()) return { key, usable: false, reason: 'expired' };
        return { key, usable: true };
      },
      { queue: 'auth' },
    );
    await (this.bus as NatsBus).connection.flush();
    return this;
  }

  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    await (this.bus as NatsBus).connection.flush();
  }

  /** Answers nothing until `release()`: a slow auth (its database busy, say). */
  hold(): void {
    this.held ??= [];
  }

  release(): void {
    const waiting = this.held ?? [];
    this.held = undefined;
    for (const resolve of waiting) resolve();
  }

  /** Revoked in auth's records, with no broadcast (a missed revocation event). */
  revokeQuietly(secret: string): void {
    const key = this.keys.get(createHash('sha256').update(secret).digest('hex'));
    if (key) key.revokedAt = new Date().toISOString();
  }

  /** A new key (secret `iir-<id>…`) with the given expiry (and limits, when given). */
  add(id: string, expiresAt: string | null = null, limits: Partial<Pick<ApiKeyInfo, 'rpm' | 'tpm'>> = {}): string {
    const secret = `iir-${id}-${'x'.repeat(40)}`;
    this.keys.set(createHash('sha256').update(secret).digest('hex'), {
      id,
      displayPrefix: secret.slice(0, 12),
      description: id,
      role: 'user',
      priority: 0,
      rpm: limits.rpm ?? null,
      tpm: limits.tpm ?? null,
      allowedModels: [],
      expiresAt,
      createdAt: new Date().toISOString(),
      revokedAt: null,
    });
    return secret;
  }
}
