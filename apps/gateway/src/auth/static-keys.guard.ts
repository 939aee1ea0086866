import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error';

export const STATIC_KEY_HASHES = Symbol('STATIC_KEY_HASHES');

export function hashKey(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** The bearer secret from `Authorization: Bearer …` or `x-api-key` (what Anthropic clients send). */
export function presentedKey(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (auth !== undefined) {
    const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
    return match?.[1]?.trim();
  }
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
}

/**
 * Gateway keys from `GATEWAY_API_KEYS` (only their SHA-256 is kept in memory), compared in
 * constant time. With no keys configured the gateway is open, which start-up logs as a warning.
 */
@Injectable()
export class StaticKeysGuard implements CanActivate {
  constructor(@Inject(STATIC_KEY_HASHES) private readonly hashes: Buffer[]) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.hashes.length === 0) return true;
    const key = presentedKey(context.switchToHttp().getRequest<FastifyRequest>());
    if (!key) {
      throw new ApiError(
        'invalid_api_key',
        "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
      );
    }
    const presented = hashKey(key);
    let ok = false;
    for (const h of this.hashes) ok = timingSafeEqual(h, presented) || ok;
    if (!ok) throw new ApiError('invalid_api_key', 'Incorrect API key provided.');
    return true;
  }
}
