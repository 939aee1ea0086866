import type { IncomingHttpHeaders } from 'node:http';
import { UpstreamError } from '../provider';

/** Why the gateway itself cut a call short. */
export type AbortCause = 'caller' | 'timeout';

/** Where in the call a transport failure happened; failures after output reached the caller can't be retried. */
export type CallPhase = 'before-output' | 'after-output';

/** The error fields OpenAI (`{error:{message,type,param,code}}`), Anthropic (`{type:'error',error:{type,message}}`) and most compatible servers send. */
export interface ProviderErrorDetail {
  message: string | undefined;
  type: string | undefined;
  param: string | null | undefined;
  code: string | undefined;
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Where a transport failure hit: before any response, reading a JSON body, or reading a stream. */
export type TransportStage = 'request' | 'response' | CallPhase;

/**
 * A transport failure (no HTTP answer, or the body broke off) as an `UpstreamError`. Retryable
 * unless output already reached the caller.
 */
export function transportError(error: unknown, cause: AbortCause | undefined, stage: TransportStage, totalMs: number): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const retryable = stage !== 'after-output';
  if (cause === 'caller') return new UpstreamError('upstream_error', 'The upstream request was cancelled by the caller.', { retryable: false });
  const streaming = stage === 'before-output' || stage === 'after-output';
  const early = streaming ? 'upstream stream ended early: ' : '';
  if (cause === 'timeout') {
    return new UpstreamError('upstream_timeout', `${early}the upstream did not complete within ${totalMs} ms.`, { retryable });
  }
  const code = errorCode(error);
  if (code === 'UND_ERR_BODY_TIMEOUT') {
    return new UpstreamError('upstream_timeout', 'The upstream stopped sending mid-response for longer than the idle timeout (UPSTREAM_IDLE_TIMEOUT_MS).', { retryable });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new UpstreamError('upstream_timeout', 'The upstream sent no response before the first-byte timeout.', { retryable });
  }
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new UpstreamError('upstream_timeout', `${early}the upstream timed out (${code}).`, { retryable });
  }
  if (stage !== 'request') {
    const what = streaming ? 'upstream stream ended early: the connection was lost' : 'The upstream connection was lost mid-response';
    return new UpstreamError('upstream_error', `${what} (${code ?? describe(error)}).`, { retryable });
  }
  if (code !== undefined && (UNAVAILABLE_CODES.has(code) || code.startsWith('ERR_TLS') || code.includes('CERT'))) {
    return new UpstreamError('upstream_unavailable', `The upstream could not be reached (${code}).`, { retryable: true });
  }
  return new UpstreamError('upstream_unavailable', `The upstream request failed (${code ?? describe(error)}).`, { retryable: true });
}

/** Maps an upstream's non-2xx answer to an `UpstreamError`. Never echoes the gateway's key. */
export function statusError(
  status: number,
  headers: IncomingHttpHeaders,
  bodyText: string,
  providerId: string,
  apiKey: string | undefined,
): UpstreamError {
  const detail = parseErrorBody(bodyText);
  const said = detail.message ? redact(detail.message, apiKey) : undefined;
  const base = { status, upstreamType: detail.type ?? detail.code, param: detail.param ?? null };
  const retryAfterMs = parseRetryAfter(headers);
  const retry = retryAfterMs === undefined ? {} : { retryAfterMs };
  if (status === 401 || status === 403) {
    return new UpstreamError(
      'upstream_error',
      `Provider '${providerId}' rejected the gateway's credentials (HTTP ${status}); the gateway operator must check the API key configured for it.`,
      { ...base, retryable: false },
    );
  }
  if (status === 408) {
    return new UpstreamError('upstream_timeout', `Provider '${providerId}' timed out (HTTP 408).`, { ...base, ...retry, retryable: true });
  }
  if (status === 429) {
    return new UpstreamError('rate_limit_exceeded', `Provider '${providerId}' is rate limiting the gateway${said ? `: ${said}` : '.'}`, {
      ...base,
      ...retry,
      retryable: true,
    });
  }
  if (status >= 400 && status < 500) {
    return new UpstreamError('invalid_request_error', said ?? `Provider '${providerId}' rejected the request (HTTP ${status}).`, {
      ...base,
      retryable: false,
    });
  }
  const suffix = said ? `: ${said}` : '.';
  if (status === 502 || status === 503 || status === 529) {
    return new UpstreamError('upstream_unavailable', `Provider '${providerId}' is unavailable (HTTP ${status})${suffix}`, {
      ...base,
      ...retry,
      retryable: true,
    });
  }
  if (status === 504) {
    return new UpstreamError('upstream_timeout', `Provider '${providerId}' timed out (HTTP 504)${suffix}`, { ...base, ...retry, retryable: true });
  }
  if (status >= 500) {
    return new UpstreamError('upstream_error', `Provider '${providerId}' failed (HTTP ${status})${suffix}`, { ...base, ...retry, retryable: true });
  }
  return new UpstreamError('upstream_error', `Provider '${providerId}' answered an unexpected HTTP ${status}.`, { ...base, retryable: false });
}

/**
 * An error the upstream sent inside a 200 stream (`data: {"error":…}` or Anthropic's `error` event).
 * Before any output it keeps its retryability (an overload or rate limit can go to the next target);
 * after output it is final.
 */
export function streamEventError(body: unknown, providerId: string, apiKey: string | undefined, phase: CallPhase): UpstreamError {
  const detail = errorDetail(body);
  const upstreamType = detail.type ?? detail.code;
  if (phase === 'after-output') {
    const said = detail.message ? `: ${redact(detail.message, apiKey)}` : '.';
    return new UpstreamError('upstream_error', `upstream stream ended early: provider '${providerId}' sent an error${said}`, {
      upstreamType,
      retryable: false,
    });
  }
  const mapped = statusError(statusForType(upstreamType), {}, JSON.stringify(body), providerId, apiKey);
  return new UpstreamError(mapped.code, mapped.message, { ...mapped.options, status: undefined });
}

/** The HTTP status an error `type` stands for (OpenAI and Anthropic names). */
function statusForType(type: string | undefined): number {
  switch (type ?? '') {
    case 'invalid_request_error':
    case 'invalid_request':
      return 400;
    case 'authentication_error':
    case 'invalid_api_key':
      return 401;
    case 'permission_error':
      return 403;
    case 'not_found_error':
      return 404;
    case 'request_too_large':
      return 413;
    case 'rate_limit_error':
    case 'rate_limit_exceeded':
    case 'insufficient_quota':
      return 429;
    case 'overloaded_error':
      return 529;
    case 'timeout_error':
      return 504;
    default:
      return 500;
  }
}

/** Reads the provider's error fields from whatever JSON it sent; never throws. */
export function parseErrorBody(text: string): ProviderErrorDetail {
  if (text.length === 0) return { message: undefined, type: undefined, param: undefined, code: undefined };
  try {
    return errorDetail(JSON.parse(text));
  } catch {
    return { message: undefined, type: undefined, param: undefined, code: undefined };
  }
}

function errorDetail(body: unknown): ProviderErrorDetail {
  // Gemini's compatible endpoint wraps the error in an array.
  const root = Array.isArray(body) ? (body[0] as unknown) : body;
  const obj = isRecord(root) ? root : {};
  const inner = obj['error'];
  const err = isRecord(inner) ? inner : obj;
  const message =
    typeof inner === 'string' ? inner : (str(err['message']) ?? str(obj['detail']) ?? str(obj['message']));
  return {
    message,
    type: str(err['type']),
    param: typeof err['param'] === 'string' ? err['param'] : err['param'] === null ? null : undefined,
    code: typeof err['code'] === 'string' ? err['code'] : typeof err['code'] === 'number' ? String(err['code']) : undefined,
  };
}

/**
 * `Retry-After` (seconds or an HTTP date) in milliseconds; OpenAI's `retry-after-ms` wins when both
 * are present.
 */
export function parseRetryAfter(headers: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const ms = first(headers['retry-after-ms']);
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.round(Number(ms));
  const value = first(headers['retry-after']);
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Removes the gateway's key, and anything shaped like a provider key, from upstream text. */
export function redact(text: string, apiKey: string | undefined): string {
  let out = apiKey && apiKey.length >= 4 ? text.split(apiKey).join('[redacted]') : text;
  out = out.replace(/\b(sk|rk|pk)-[A-Za-z0-9_*-]{8,}/g, '[redacted]');
  return out;
}

function errorCode(error: unknown): string | undefined {
  if (!isRecord(error)) return undefined;
  const own = error['code'];
  if (typeof own === 'string') return own;
  // Node's happy-eyeballs connect reports an AggregateError of the per-address failures.
  const errors = error['errors'];
  if (Array.isArray(errors) && errors.length > 0) return errorCode(errors[0]);
  return error['cause'] !== undefined ? errorCode(error['cause']) : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
