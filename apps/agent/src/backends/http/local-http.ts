import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BusError } from '@iir/contracts';

export interface LocalCall {
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Until the response headers (and, for JSON, the body) arrive. */
  timeoutMs: number;
  /** Longest silence between two chunks of a streamed body. */
  idleMs?: number;
}

/** A streamed body (chunks as they come), or all of it as text or JSON. */
export interface LocalBody extends AsyncIterable<Buffer | string> {
  text(): Promise<string>;
  json(): Promise<unknown>;
  /** Stops reading and closes the connection. */
  destroy(): void;
}

export interface LocalResponse {
  statusCode: number;
  body: LocalBody;
}

/**
 * A local server's HTTP answer; a connection failure is `upstream_unavailable` naming the server.
 * Node's own `http` (one connection per call: local servers, a few calls a minute), not undici:
 * an agent idles on a Mac beside its owner's work, and undici alone weighs ~5 MB of its memory.
 */
export function localRequest(call: LocalCall): Promise<LocalResponse> {
  const url = new URL(call.url);
  const payload = call.body !== undefined ? JSON.stringify(call.body) : undefined;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<LocalResponse>((resolve, reject) => {
    const failed = (error: Error): void => {
      clearTimeout(headersTimer);
      if (call.signal?.aborted) reject(new BusError('upstream_error', 'The request was cancelled by the caller.'));
      else reject(new BusError('upstream_unavailable', `${url.origin}: ${error.message}`));
    };
    const req = send(url, {
      method: call.method,
      agent: false,
      headers: { ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}), ...call.headers },
      ...(call.signal ? { signal: call.signal } : {}),
    });
    const headersTimer = setTimeout(() => req.destroy(new Error(`no answer within ${call.timeoutMs} ms`)), call.timeoutMs);
    req.once('error', failed);
    req.once('response', (res: IncomingMessage) => {
      clearTimeout(headersTimer);
      req.off('error', failed);
      // From here a failure (a reset, an abort) surfaces through the body's stream; the request's
      // own 'error' must still have a listener, or it would take the agent down.
      req.on('error', () => undefined);

      // A body that falls silent this long is cut (the reader's loop then fails).
      res.setTimeout(call.idleMs ?? call.timeoutMs, () => res.destroy(new Error(`${url.origin} went quiet for ${call.idleMs ?? call.timeoutMs} ms`)));
      resolve({ statusCode: res.statusCode ?? 0, body: localBody(res) });
    });
    req.end(payload);
  });
}

function localBody(res: IncomingMessage): LocalBody {
  const text = async (): Promise<string> => {
    let out = '';
    res.setEncoding('utf8');
    for await (const piece of res) out += piece as string;
    return out;
  };
  return {
    [Symbol.asyncIterator]: () => res[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>,
    text,
    json: async () => JSON.parse(await text()) as unknown,
    destroy: () => {
      res.destroy();
    },
  };
}

/** GET JSON, or `undefined` when the server is away or answers something else (discovery never throws). */
export async function getJson<T>(url: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<{ ok: true; value: T } | { ok: false; why: string }> {
  try {
    const res = await localRequest({ method: 'GET', url, timeoutMs, headers });
    const text = await res.body.text();
    if (res.statusCode !== 200) return { ok: false, why: `${url}: HTTP ${res.statusCode}` };
    return { ok: true, value: JSON.parse(text) as T };
  } catch (error) {
    return { ok: false, why: BusError.from(error).message };
  }
}

/** A non-2xx answer of a local server as the `BusError` the gateway maps (400, 404, 429, 503…). */
export async function httpFailure(res: LocalResponse, server: string): Promise<BusError> {
  const text = await res.body.text().catch(() => '');
  let message = text.slice(0, 300);
  try {
    const parsed = JSON.parse(text) as { error?: string | { message?: string } };
    message = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? message);
  } catch {
    // not JSON: keep the text
  }
  const what = `${server} answered ${res.statusCode}: ${message}`;
  if (res.statusCode === 404) return new BusError('model_not_found', what, { param: 'model' });
  if (res.statusCode === 400 || res.statusCode === 422) return new BusError('invalid_request_error', what);
  if (res.statusCode === 429) return new BusError('rate_limit_exceeded', what, { retryAfterMs: 1_000 });
  return new BusError('upstream_unavailable', what);
}

/** The lines of a streamed body as they complete (NDJSON, SSE). */
export async function* lines(body: AsyncIterable<Buffer | string>): AsyncGenerator<string, void> {
  let rest = '';
  for await (const piece of body) {
    rest += typeof piece === 'string' ? piece : piece.toString('utf8');
    let at = rest.indexOf('\n');
    while (at >= 0) {
      const line = rest.slice(0, at).replace(/\r$/, '');
      rest = rest.slice(at + 1);
      if (line.length > 0) yield line;
      at = rest.indexOf('\n');
    }
  }
  if (rest.trim().length > 0) yield rest.trim();
}
