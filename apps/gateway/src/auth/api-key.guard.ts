import { timingSafeEqual } from 'node:crypto';
import { inSpan } from '@iir/platform';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error';
import { AUTH_SETTINGS, type AuthSettings } from './auth-settings';
import { KeyVerifier } from './key-verifier';
import { presentedKey, sha256 } from './presented-key';
import { ANONYMOUS, principalFromKey, setPrincipal, type Principal } from './principal';

/** The one controller agent keys may call (set by it, so this guard needs no import of it). */
export const AGENT_ROUTES: { controller: unknown } = { controller: undefined };

/** IIR keys start with this; other strings are only ever static keys or, on an open gateway, nothing. */
const IIR_KEY_PREFIX = 'iir-';

/**
 * Who is calling: the bootstrap admin key (`IIR_ADMIN_KEY`), a static key (`GATEWAY_API_KEYS`) or a
 * key issued by `auth`, each compared by hash in constant time. On an open gateway a request
 * without a key (or with a placeholder such as `sk-none`) is anonymous; an IIR key is always
 * checked, so a revoked one is refused everywhere.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    private readonly verifier: KeyVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = await inSpan('iir.auth', {}, () => this.identify(request));
    // An agent credential registers and heartbeats its agent, and is good for nothing else.
    if (principal.role === 'agent' && context.getClass() !== AGENT_ROUTES.controller) {
      throw new ApiError('permission_denied', 'An agent key may only register and heartbeat its own agent (POST /register, /heartbeat).');
    }
    setPrincipal(request, principal);
    return true;
  }

  /** With `optional`, a request without a key is anonymous whatever the mode (key registration). */
  async identify(request: FastifyRequest, optional = false): Promise<Principal> {
    const secret = presentedKey(request);
    if (!secret) {
      if (this.settings.mode === 'open' || optional) return ANONYMOUS;
      throw new ApiError('invalid_api_key', "You didn't provide an API key. Send it as 'Authorization: Bearer <key>' (or 'x-api-key: <key>').");
    }
    const hash = sha256(secret);
    if (this.settings.adminKeyHash && timingSafeEqual(hash, this.settings.adminKeyHash)) {
      return { ...ANONYMOUS, role: 'admin', source: 'admin-env' };
    }
    let isStatic = false;
    for (const h of this.settings.staticKeyHashes) isStatic = timingSafeEqual(h, hash) || isStatic;
    if (isStatic) return { ...ANONYMOUS, source: 'static' };
    if (secret.startsWith(IIR_KEY_PREFIX)) {
      const verdict = await this.verifier.verify(hash.toString('hex'));
      if (verdict.usable && verdict.key) return principalFromKey(verdict.key);
      if (verdict.reason === 'revoked') throw new ApiError('invalid_api_key', 'This API key has been revoked.');
      if (verdict.reason === 'expired') throw new ApiError('invalid_api_key', 'This API key has expired.');
    } else if (this.settings.mode === 'open') {
      return ANONYMOUS;
    }
    throw new ApiError('invalid_api_key', `Incorrect API key provided: ${redact(secret)}.`);
  }
}

/** Enough of a wrong key for its owner to recognise it, never enough to use it. */
function redact(secret: string): string {
  return secret.length <= 8 ? '****' : `${secret.slice(0, 4)}****${secret.slice(-2)}`;
}
