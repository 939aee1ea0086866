import { assertUnreachable, BusError, type ErrorCode } from '@iir/contracts';

/** An agent error as OpenAI's HTTP error: the status and `{ error: { message, type, param, code } }`. */
export function openAIError(error: unknown): { status: number; body: unknown; retryAfterS?: number } {
  const bus = BusError.from(error);
  const status = statusOf(bus.code);
  const param = typeof bus.details?.['param'] === 'string' ? bus.details['param'] : null;
  const retryAfterMs = bus.details?.['retryAfterMs'];
  return {
    status,
    body: { error: { message: status === 500 ? 'The agent failed to serve the request.' : bus.message, type: typeOf(status), param, code: bus.code } },
    ...(typeof retryAfterMs === 'number' ? { retryAfterS: Math.max(1, Math.ceil(retryAfterMs / 1000)) } : {}),
  };
}

function typeOf(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status < 500) return 'invalid_request_error';
  return 'api_error';
}

function statusOf(code: ErrorCode): number {
  switch (code) {
    case 'invalid_request_error':
    case 'invalid_json':
      return 400;
    case 'body_too_large':
      return 413;
    case 'unsupported_media_type':
      return 415;
    case 'invalid_api_key':
      return 401;
    case 'permission_denied':
      return 403;
    case 'model_not_found':
    case 'not_found':
      return 404;
    case 'rate_limit_exceeded':
      return 429;
    case 'upstream_error':
      return 502;
    case 'upstream_timeout':
    case 'bus_timeout':
      return 504;
    case 'upstream_unavailable':
    case 'no_target_available':
    case 'service_unavailable':
    case 'bus_no_responders':
      return 503;
    case 'internal_error':
      return 500;
    default:
      return assertUnreachable(code);
  }
}
