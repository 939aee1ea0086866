import type { IncomingHttpHeaders } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import { UpstreamError, type UpstreamTimeouts } from '../provider';
import { readSseEvents, type SseEvent } from './sse-decoder';
import { transportError, type AbortCause, type CallPhase } from './upstream-errors';

export interface UpstreamHttpOptions {
  /** Most sockets per origin; unlimited when unset (each stream holds one for its whole length). */
  connectionsPerOrigin?: number;
  /** How long an idle keep-alive socket is kept when the upstream gives no hint. */
  keepAliveTimeoutMs?: number;
}

export interface UpstreamRequest {
  /** `https://host[:port][/prefix]`, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  /** Appended to the base URL's path, e.g. `/chat/completions`. */
  path: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
  timeouts: UpstreamTimeouts;
}

type Body = Dispatcher.ResponseData['body'];

interface Endpoint {
  origin: string;
  prefix: string;
}

/** Error bodies are read up to this size; the rest is dropped. */
const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * The gateway's HTTP client for upstreams: keep-alive pools per origin (undici `Agent`, which keeps
 * one `Pool` per origin), created once and reused by every request. Timeouts: connect (socket +
 * TLS), first byte (undici's headers timeout) and total (an abort timer that also covers the body).
 * The caller's signal aborts the request at once and destroys the socket.
 */
export class UpstreamHttpClient {
  /** One agent per connect timeout: in practice one, since the timeout comes from config. */
  private readonly agents = new Map<number, Agent>();
  private readonly endpoints = new Map<string, Endpoint>();

  constructor(private readonly options: UpstreamHttpOptions = {}) {}

  /**
   * Sends a POST and resolves when the response headers are in, whatever the status. Rejects with a
   * retryable `UpstreamError` when the upstream can't be reached or the first byte is late.
   */
  async post(request: UpstreamRequest): Promise<UpstreamResponse> {
    let endpoint: Endpoint;
    try {
      endpoint = this.endpoint(request.baseUrl);
    } catch {
      throw new UpstreamError('upstream_error', `The upstream base URL '${request.baseUrl}' is not a valid URL.`, { retryable: true });
    }
    const guard = new CallGuard(request.signal, request.timeouts.totalMs);
    try {
      const res = await this.agent(request.timeouts.connectMs).request({
        origin: endpoint.origin,
        path: endpoint.prefix + request.path,
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal: guard.signal,
        headersTimeout: request.timeouts.firstByteMs,
        // Silence between two body chunks: a stalled stream is cut instead of held to the total timeout.
        bodyTimeout: request.timeouts.idleMs ?? 0,
      });
      return new UpstreamResponse(res.statusCode, res.headers, res.body, guard);
    } catch (error) {
      guard.release();
      throw transportError(error, guard.cause, 'request', guard.totalMs);
    }
  }

  /** Closes every pooled socket. */
  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((agent) => agent.close()));
  }

  private agent(connectMs: number): Agent {
    let agent = this.agents.get(connectMs);
    if (agent === undefined) {
      agent = new Agent({
        connect: { timeout: connectMs },
        connections: this.options.connectionsPerOrigin ?? null,
        keepAliveTimeout: this.options.keepAliveTimeoutMs ?? 10_000,
        pipelining: 1,
      });
      this.agents.set(connectMs, agent);
    }
    return agent;
  }

  private endpoint(baseUrl: string): Endpoint {
    let endpoint = this.endpoints.get(baseUrl);
    if (endpoint === undefined) {
      const url = new URL(baseUrl);
      endpoint = { origin: url.origin, prefix: url.pathname.replace(/\/+$/, '') };
      this.endpoints.set(baseUrl, endpoint);
    }
    return endpoint;
  }
}

/** A response whose headers are in. Read its body once: `text`, `errorText` or `events` (or `discard` it). */
export class UpstreamResponse {
  private completed = false;
  private finished = false;

  constructor(
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
    private readonly body: Body,
    private readonly guard: CallGuard,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** The whole body as text (at most `limitBytes` are read; the rest is dropped with the connection). */
  async text(limitBytes = Number.POSITIVE_INFINITY): Promise<string> {
    try {
      if (limitBytes === Number.POSITIVE_INFINITY) return await this.body.text();
      const parts: Buffer[] = [];
      let size = 0;
      for await (const chunk of this.body.iterator({ destroyOnReturn: true })) {
        parts.push(chunk as Buffer);
        size += (chunk as Buffer).length;
        if (size >= limitBytes) break;
      }
      return Buffer.concat(parts).subarray(0, limitBytes).toString('utf8');
    } catch (error) {
      throw transportError(error, this.guard.cause, 'response', this.guard.totalMs);
    } finally {
      this.finish();
    }
  }

  /** The body of an error answer: bounded, and never throws. */
  async errorText(): Promise<string> {
    try {
      return await this.text(ERROR_BODY_LIMIT);
    } catch {
      return '';
    }
  }

  /**
   * The body as server-sent events. Breaking out of the loop closes the request; when the body
   * ends normally the socket goes back to the pool. Transport errors are thrown raw: map them
   * with `failure`, which knows whether output already went out.
   */
  async *events(): AsyncGenerator<SseEvent> {
    try {
      yield* readSseEvents(this.body.iterator({ destroyOnReturn: false }));
    } finally {
      this.finish();
    }
  }

  /**
   * Call on the last event the adapter needs (`[DONE]`, `message_stop`), then stop iterating:
   * instead of being destroyed, the rest of the body drains so the socket goes back to the pool
   * (still bounded by the total timeout).
   */
  complete(): void {
    this.completed = true;
  }

  /** Drops the body and the connection. */
  discard(): void {
    this.finish();
  }

  /** A failure while reading this response's event stream, as an `UpstreamError`. */
  failure(error: unknown, phase: CallPhase): UpstreamError {
    return transportError(error, this.guard.cause, phase, this.guard.totalMs);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    const body = this.body;
    if (body.readableEnded || body.destroyed) {
      this.guard.release();
    } else if (this.completed) {
      // Runs once the event iterator has let go of the body, so resume() makes it flow.
      body.on('error', noop);
      body.once('close', () => this.guard.release());
      body.resume();
    } else {
      body.on('error', noop).destroy();
      this.guard.release();
    }
  }
}

/**
 * Joins the caller's signal and the total timeout into the one signal undici sees, and remembers
 * which of them fired. Uses `handleEvent` and a static timer callback: no closures per call.
 */
class CallGuard {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  cause: AbortCause | undefined;

  constructor(
    private readonly caller: AbortSignal,
    readonly totalMs: number,
  ) {
    if (caller.aborted) {
      this.abort('caller');
      return;
    }
    caller.addEventListener('abort', this);
    this.timer = setTimeout(onTotalTimeout, totalMs, this);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  handleEvent(): void {
    this.abort('caller');
  }

  abort(cause: AbortCause): void {
    if (this.cause !== undefined) return;
    this.cause = cause;
    this.controller.abort();
  }

  release(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.caller.removeEventListener('abort', this);
  }
}

function onTotalTimeout(guard: CallGuard): void {
  guard.abort('timeout');
}

function noop(): void {}
