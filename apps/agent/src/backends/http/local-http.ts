import { BusError } from '@iir/contracts';
import { request, type Dispatcher } from 'undici';

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

/** A local server's HTTP answer; a connection failure is `upstream_unavailable` naming the server. */
export async function localRequest(call: LocalCall): Promise<Dispatcher.ResponseData> {
  try {
    return await request(call.url, {
      method: call.method,
      headers: { ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}), ...call.headers },
      ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
      ...(call.signal ? { signal: call.signal } : {}),
      headersTimeout: call.timeoutMs,
      bodyTimeout: call.idleMs ?? call.timeoutMs,
    });
  } catch (error) {
    if (call.signal?.aborted) throw new BusError('upstream_error', 'The request was cancelled by the caller.');
    throw new BusError('upstream_unavailable', `${new URL(call.url).origin}: ${(error as Error).message}`);
  }
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
export async function httpFailure(res: Dispatcher.ResponseData, server: string): Promise<BusError> {
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
