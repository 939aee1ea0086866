/**
 * Every error code IIR can answer with. The gateway maps each one to an OpenAI-shaped HTTP error in
 * one exhaustive switch, so adding a code here without mapping it fails to compile.
 */
export const ERROR_CODES = [
  'invalid_request_error',
  'invalid_json',
  'body_too_large',
  'unsupported_media_type',
  'invalid_api_key',
  'permission_denied',
  'model_not_found',
  'not_found',
  'rate_limit_exceeded',
  'upstream_error',
  'upstream_unavailable',
  'upstream_timeout',
  'no_target_available',
  'service_unavailable',
  'bus_timeout',
  'bus_no_responders',
  'internal_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Compile-time guard for exhaustive switches. */
export function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
