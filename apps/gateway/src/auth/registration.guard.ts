import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error';
import { ApiKeyGuard } from './api-key.guard';
import { AUTH_SETTINGS, type AuthSettings } from './auth-settings';
import { setPrincipal, type Principal } from './principal';
import { clientAddress } from './trusted-network';

/**
 * Key registration: allowed with an admin key, or without one from a trusted network (how the first
 * keys are made) — then only user keys within the registration ceilings (the controller applies
 * them, `keylessRegistration` marks the request). `X-Forwarded-For` counts only when the socket peer
 * is a configured trusted proxy.
 */
@Injectable()
export class RegistrationGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeyGuard,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = await this.keys.identify(request, true);
    if (principal.role === 'agent') throw new ApiError('permission_denied', 'An agent key cannot register API keys.');
    setPrincipal(request, principal);
    if (principal.role === 'admin') return true;
    if (!this.settings.registration.keyless) {
      throw new ApiError(
        principal.source === 'anonymous' ? 'invalid_api_key' : 'permission_denied',
        'Registering API keys needs an admin key (KEYLESS_REGISTRATION is off).',
      );
    }
    const address = clientAddress(request, this.settings.trustedProxies);
    if (this.settings.trustedNetworks.has(address)) {
      keyless.add(request.raw);
      return true;
    }
    throw new ApiError(
      'permission_denied',
      `Registering API keys needs an admin key or a request from a trusted network (this request comes from ${address ?? 'an unknown address'}).`,
    );
  }
}

const keyless = new WeakSet<object>();

/** The request was let in as a keyless (trusted-network) registration, not by an admin key. */
export function isKeylessRegistration(request: FastifyRequest, principal: Principal): boolean {
  return principal.role !== 'admin' && keyless.has(request.raw);
}
