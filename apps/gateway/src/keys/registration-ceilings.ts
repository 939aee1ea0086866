import type { KeyCreateRequest } from '@iir/contracts';
import type { RegistrationCeilings } from '../auth/auth-settings';
import { ApiError } from '../errors/api-error';

/**
 * A keyless registration (trusted network, no admin key) may issue user keys only, within the
 * operator's ceilings. Nothing is silently clamped: a request above a ceiling is a 403 naming the
 * field; a limit left out takes the ceiling's value, so "unlimited" is never the default.
 */
export function withinCeilings(request: KeyCreateRequest, ceilings: RegistrationCeilings): KeyCreateRequest {
  if (request.role !== undefined && request.role !== 'user') {
    throw refused('role', `Issuing a '${String(request.role)}' key needs an admin key; a keyless registration issues user keys only.`);
  }
  const priority = request.priority ?? 0;
  if (typeof priority === 'number' && priority > ceilings.maxPriority) {
    throw refused('priority', `A keyless registration may ask for priority ${ceilings.maxPriority} at most (asked ${priority}); an admin key may set more.`);
  }
  const out: KeyCreateRequest = { ...request, role: 'user' };
  out.rpm = capped('rpm', request.rpm, ceilings.maxRpm);
  out.tpm = capped('tpm', request.tpm, ceilings.maxTpm);
  if (ceilings.allowedModels.length > 0) {
    const asked = request.allowedModels;
    if (asked === undefined || (Array.isArray(asked) && asked.length === 0)) {
      out.allowedModels = [...ceilings.allowedModels];
    } else if (Array.isArray(asked)) {
      const outside = asked.find((glob) => typeof glob === 'string' && !ceilings.allowedModels.some((c) => covers(c, glob)));
      if (outside !== undefined) {
        throw refused('allowed_models', `A keyless registration may only allow models within ${ceilings.allowedModels.join(', ')} ('${outside}' is not).`);
      }
    }
  }
  return out;
}

function capped(field: 'rpm' | 'tpm', asked: number | null | undefined, ceiling: number | null): number | null | undefined {
  if (ceiling === null) return asked;
  if (asked === undefined || asked === null) return ceiling;
  if (typeof asked === 'number' && asked > ceiling) {
    throw refused(field, `A keyless registration may ask for ${field} ${ceiling} at most (asked ${asked}); an admin key may set more.`);
  }
  return asked;
}

/**
 * Whether the ceiling glob admits every name the asked glob admits. Sound, not complete: the asked
 * glob's wildcards may only be absorbed by the ceiling's `*` (a ceiling `?` matches one literal
 * character), so anything not provably narrower is refused.
 */
export function covers(ceiling: string, asked: string): boolean {
  if (ceiling === asked) return true;
  let source = '^';
  for (const ch of ceiling) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '[^*?]';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`${source}$`, 's').test(asked);
}

function refused(param: string, message: string): ApiError {
  return new ApiError('permission_denied', message, { param });
}
