import type { Dispatcher } from 'undici';
import { UpstreamError } from '../provider';

/** Turns a non-2xx upstream answer into an UpstreamError; reads (and bounds) the error body. */
export async function upstreamHttpError(res: Dispatcher.ResponseData, origin: string): Promise<UpstreamError> {
  const text = await readBounded(res.body, 16 * 1024);
  let message: string | undefined;
  let type: string | undefined;
  let param: string | null = null;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string; type?: string; param?: string | null } | string; message?: string };
    if (typeof parsed.error === 'object' && parsed.error) {
      message = parsed.error.message;
      type = parsed.error.type;
      param = parsed.error.param ?? null;
    } else if (typeof parsed.error === 'string') {
      message = parsed.error;
    } else {
      message = parsed.message;
    }
  } catch {
    message = text.slice(0, 300) || undefined;
  }
  const status = res.statusCode;
  const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
  const detail = message ? `: ${message}` : '';
  if (status === 429) {
    return new UpstreamError('rate_limit_exceeded', `The upstream ${origin} is rate limiting${detail}`, {
      status,
      retryable: true,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      upstreamType: type,
    });
  }
  if (status === 502 || status === 503 || status === 529) {
    return new UpstreamError('upstream_unavailable', `The upstream ${origin} is unavailable (${status})${detail}`, {
      status,
      retryable: true,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  if (status === 504 || status === 408) {
    return new UpstreamError('upstream_timeout', `The upstream ${origin} timed out (${status})${detail}`, { status, retryable: true });
  }
  if (status >= 500) {
    return new UpstreamError('upstream_error', `The upstream ${origin} failed (${status})${detail}`, { status, retryable: true });
  }
  if (status === 401 || status === 403) {
    // The provider refused IIR's own credentials: an operator problem, not the client's.
    return new UpstreamError('upstream_error', `The upstream ${origin} refused the gateway's credentials (${status}).`, {
      status,
      retryable: false,
    });
  }
  return new UpstreamError('invalid_request_error', message ?? `The upstream ${origin} rejected the request (${status}).`, {
    status,
    retryable: false,
    upstreamType: type,
    param,
  });
}

export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const seconds = Number(v);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

async function readBounded(body: Dispatcher.ResponseData['body'], max: number): Promise<string> {
  let out = '';
  for await (const chunk of body) {
    out += Buffer.from(chunk as Buffer).toString('utf8');
    if (out.length >= max) {
      body.destroy();
      break;
    }
  }
  return out;
}
