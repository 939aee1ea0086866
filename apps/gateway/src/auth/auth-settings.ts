import type { NetworkSet } from './trusted-network';

export const AUTH_SETTINGS = Symbol('AUTH_SETTINGS');

/** How the gateway decides who may call (built once from the config). */
export interface AuthSettings {
  /** `required`: every protected route needs a key; `open`: a missing key is anonymous. */
  mode: 'required' | 'open';
  /** SHA-256 of `IIR_ADMIN_KEY`, the bootstrap admin key. */
  adminKeyHash: Buffer | undefined;
  /** SHA-256 of each `GATEWAY_API_KEYS` entry (static user keys without limits). */
  staticKeyHashes: Buffer[];
  /** How long a verified key is trusted without asking `auth` again. */
  cacheTtlMs: number;
  /** How long a verified key keeps working while `auth` cannot be reached. */
  staleTtlMs: number;
  trustedNetworks: NetworkSet;
  /** Keys registered without an admin key (from a trusted network): user keys within these ceilings. */
  registration: RegistrationCeilings;
  trustedProxies: NetworkSet;
}

export interface RegistrationCeilings {
  /** false: registration always needs an admin key. */
  keyless: boolean;
  maxPriority: number;
  /** null = no ceiling. */
  maxRpm: number | null;
  maxTpm: number | null;
  /** Globs; empty = any model. */
  allowedModels: string[];
}
