import type { ApiKeyInfo, KeyRole } from '@iir/contracts';
import type { FastifyRequest } from 'fastify';

/** Who is calling, as the guard established it. */
export interface Principal {
  /** The key's id in `auth`; null for the bootstrap admin key, static keys and anonymous calls. */
  keyId: string | null;
  role: KeyRole;
  priority: number;
  rpm: number | null;
  tpm: number | null;
  allowedModels: string[];
  source: 'key' | 'admin-env' | 'static' | 'anonymous';
  /** An `agent` key's agent id: the only id it may register and heartbeat. */
  agentId?: string | null;
}

export const ANONYMOUS: Principal = {
  keyId: null,
  role: 'user',
  priority: 0,
  rpm: null,
  tpm: null,
  allowedModels: [],
  source: 'anonymous',
};

export function principalFromKey(key: ApiKeyInfo): Principal {
  return {
    keyId: key.id,
    role: key.role,
    priority: key.priority,
    rpm: key.rpm,
    tpm: key.tpm,
    allowedModels: key.allowedModels,
    source: 'key',
    ...(key.agentId ? { agentId: key.agentId } : {}),
  };
}

const principals = new WeakMap<object, Principal>();

export function setPrincipal(request: FastifyRequest, principal: Principal): void {
  principals.set(request.raw, principal);
}

/** The caller of a guarded route (anonymous if the route had no guard). */
export function principalOf(request: FastifyRequest): Principal {
  return principals.get(request.raw) ?? ANONYMOUS;
}
