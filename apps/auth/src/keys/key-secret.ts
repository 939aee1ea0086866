import { createHash, randomBytes } from 'node:crypto';

/** Every IIR key starts with this, so a leaked one is recognisable (secret scanners, logs). */
export const KEY_PREFIX = 'iir-';
const DISPLAY_LENGTH = 12;

/** A new secret: 32 random bytes (256 bits), base64url, behind the prefix. */
export function newSecret(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * SHA-256 (hex). A slow password hash buys nothing here: the secret has 256 bits of entropy, so
 * the hash cannot be brute-forced, and the gateway must hash on every request.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function displayPrefix(secret: string): string {
  return secret.slice(0, DISPLAY_LENGTH);
}
