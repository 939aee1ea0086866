import { BusError, KEY_ROLES, type KeyCreateRequest, type KeyRole } from '@iir/contracts';

export interface ValidKeyRequest {
  description: string;
  role: KeyRole;
  priority: number;
  rpm: number | null;
  tpm: number | null;
  allowedModels: string[];
  expiresAt: string | null;
  agentId: string | null;
}

/** The registry's agent id rule (letters, digits, `.`, `_`, `-`). */
const AGENT_ID = /^[A-Za-z0-9._-]{1,128}$/;

const MAX_PRIORITY = 1_000;
const MAX_GLOBS = 100;

/** Checks a registration body field by field; the error names the field (`param`). */
export function validateKeyRequest(input: unknown, now = Date.now()): ValidKeyRequest {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw invalid('The request body must be a JSON object.', null);
  }
  const body = input as Record<keyof KeyCreateRequest, unknown>;
  const description = body.description ?? '';
  if (typeof description !== 'string' || description.length > 200) {
    throw invalid("'description' must be a string of at most 200 characters.", 'description');
  }
  const role = body.role ?? 'user';
  if (typeof role !== 'string' || !(KEY_ROLES as readonly string[]).includes(role)) {
    throw invalid(`'role' must be one of ${KEY_ROLES.join(', ')}.`, 'role');
  }
  const priority = body.priority ?? 0;
  if (!Number.isInteger(priority) || (priority as number) < 0 || (priority as number) > MAX_PRIORITY) {
    throw invalid(`'priority' must be a whole number from 0 to ${MAX_PRIORITY}.`, 'priority');
  }
  const allowedModels = body.allowedModels ?? [];
  if (
    !Array.isArray(allowedModels) ||
    allowedModels.length > MAX_GLOBS ||
    !allowedModels.every((g) => typeof g === 'string' && /^[\w.:@*?/-]{1,200}$/.test(g))
  ) {
    throw invalid(
      `'allowed_models' must be a list of at most ${MAX_GLOBS} model names or globs (letters, digits, . : @ / - _ * ?).`,
      'allowed_models',
    );
  }
  let expiresAt: string | null = null;
  if (body.expiresAt !== undefined && body.expiresAt !== null) {
    const when = typeof body.expiresAt === 'string' ? Date.parse(body.expiresAt) : NaN;
    if (Number.isNaN(when)) throw invalid("'expires_at' must be an ISO-8601 date-time.", 'expires_at');
    if (when <= now) throw invalid("'expires_at' must be in the future.", 'expires_at');
    expiresAt = new Date(when).toISOString();
  }
  const agentId = body.agentId ?? null;
  if (role === 'agent' && (typeof agentId !== 'string' || !AGENT_ID.test(agentId))) {
    throw invalid("An agent key needs 'agent_id': 1-128 letters, digits, '.', '_' or '-'.", 'agent_id');
  }
  if (role !== 'agent' && agentId !== null) throw invalid("'agent_id' is only for keys with role 'agent'.", 'agent_id');
  return {
    agentId: agentId as string | null,
    description,
    role: role as KeyRole,
    priority: priority as number,
    rpm: limit(body.rpm, 'rpm'),
    tpm: limit(body.tpm, 'tpm'),
    allowedModels: allowedModels as string[],
    expiresAt,
  };
}

function limit(value: unknown, param: string): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 1e12) {
    throw invalid(`'${param}' must be a positive whole number (or null for no limit).`, param);
  }
  return value as number;
}

function invalid(message: string, param: string | null): BusError {
  return new BusError('invalid_request_error', message, param ? { param } : undefined);
}
