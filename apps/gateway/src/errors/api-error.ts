import { assertUnreachable, BusError, type ErrorCode, type OpenAIErrorBody } from '@iir/contracts';

/** An error the gateway answers with, in OpenAI's shape. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { param?: string | null; status?: number; retryAfterSeconds?: number; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }

  get status(): number {
    return this.options.status ?? statusFor(this.code).status;
  }

  toBody(): OpenAIErrorBody {
    return {
      error: {
        message: this.message,
        type: statusFor(this.code).type,
        code: this.code,
        param: this.options.param ?? null,
      },
    };
  }

  static from(error: unknown): ApiError {
    if (error instanceof ApiError) return error;
    if (error instanceof BusError) return fromBusError(error);
    return new ApiError('internal_error', 'The server had an error while processing your request.');
  }
}

/** Every error code's HTTP status and OpenAI error `type`. Exhaustive: a new code must be mapped. */
export function statusFor(code: ErrorCode): { status: number; type: string } {
  switch (code) {
    case 'invalid_request_error':
    case 'invalid_json':
      return { status: 400, type: 'invalid_request_error' };
    case 'body_too_large':
      return { status: 413, type: 'invalid_request_error' };
    case 'unsupported_media_type':
      return { status: 415, type: 'invalid_request_error' };
    case 'invalid_api_key':
      return { status: 401, type: 'authentication_error' };
    case 'permission_denied':
      return { status: 403, type: 'permission_error' };
    case 'model_not_found':
    case 'not_found':
      return { status: 404, type: 'invalid_request_error' };
    case 'rate_limit_exceeded':
      return { status: 429, type: 'rate_limit_error' };
    case 'upstream_error':
      return { status: 502, type: 'api_error' };
    case 'upstream_unavailable':
    case 'no_target_available':
    case 'service_unavailable':
    case 'bus_no_responders':
      return { status: 503, type: 'api_error' };
    case 'upstream_timeout':
    case 'bus_timeout':
      return { status: 504, type: 'api_error' };
    case 'internal_error':
      return { status: 500, type: 'api_error' };
    default:
      return assertUnreachable(code);
  }
}

function fromBusError(error: BusError): ApiError {
  switch (error.code) {
    case 'bus_no_responders':
      return new ApiError('service_unavailable', `A required IIR service is not running (${error.message}).`);
    case 'bus_timeout':
      return new ApiError('service_unavailable', `An IIR service did not answer in time (${error.message}).`, {
        status: 503,
      });
    default:
      return new ApiError(error.code, error.message, {
        param: error.code === 'model_not_found' ? 'model' : typeof error.details?.['param'] === 'string' ? error.details['param'] : null,
      });
  }
}
