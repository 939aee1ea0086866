import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import { UpstreamError, type UpstreamCall } from '../provider';

/**
 * One keep-alive connection pool per upstream origin (undici's Agent keeps a Pool per origin),
 * shared by every request. Per-call timeouts: connect, first byte (headers), total (abort).
 */
export class UpstreamClient {
  private readonly agents = new Map<number, Agent>();

  private agent(connectMs: number): Agent {
    let agent = this.agents.get(connectMs);
    if (!agent) {
      agent = new Agent({
        connect: { timeout: connectMs },
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 300_000,
        connections: 256,
        pipelining: 1,
      });
      this.agents.set(connectMs, agent);
    }
    return agent;
  }

  /**
   * POSTs JSON; resolves once the upstream's status and headers are in. The body is left to the
   * caller (JSON or SSE). `signal` aborts at any point, including mid-body.
   */
  async post(call: UpstreamCall, url: string, body: unknown, headers: Record<string, string>): Promise<Dispatcher.ResponseData> {
    const total = AbortSignal.timeout(call.timeouts.totalMs);
    const signal = AbortSignal.any([call.signal, total]);
    try {
      return await this.agent(call.timeouts.connectMs).request({
        origin: new URL(url).origin,
        path: url.slice(url.indexOf('/', url.indexOf('//') + 2)),
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify(body),
        headersTimeout: call.timeouts.firstByteMs,
        bodyTimeout: call.timeouts.totalMs,
        signal,
      });
    } catch (error) {
      throw connectionError(error, url, call.signal.aborted);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close()));
  }
}

/** Maps transport failures (nothing from the upstream yet) to retryable UpstreamErrors. */
export function connectionError(error: unknown, url: string, clientAborted: boolean): UpstreamError {
  const origin = safeOrigin(url);
  if (clientAborted) return new UpstreamError('upstream_error', 'The client closed the request.', { retryable: false });
  if (error instanceof undiciErrors.HeadersTimeoutError) {
    return new UpstreamError('upstream_timeout', `The upstream ${origin} did not answer in time.`, { retryable: true });
  }
  if (error instanceof undiciErrors.ConnectTimeoutError) {
    return new UpstreamError('upstream_timeout', `Connecting to the upstream ${origin} timed out.`, { retryable: true });
  }
  if (error instanceof undiciErrors.BodyTimeoutError || (error as Error)?.name === 'TimeoutError' || (error as Error)?.name === 'AbortError') {
    return new UpstreamError('upstream_timeout', `The upstream ${origin} took too long.`, { retryable: true });
  }
  const code = (error as { code?: string; cause?: { code?: string } })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  return new UpstreamError('upstream_unavailable', `Cannot reach the upstream ${origin}${code ? ` (${code})` : ''}.`, {
    retryable: true,
  });
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
