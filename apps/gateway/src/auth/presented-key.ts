import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** The secret from `Authorization: Bearer …` or `x-api-key` (what Anthropic clients send). */
export function presentedKey(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (auth !== undefined) {
    const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
    return match?.[1]?.trim() || undefined;
  }
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.trim() ? apiKey.trim() : undefined;
}

export function sha256(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
