import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

export interface Failure {
  status: number;
  body?: unknown;
  retryAfter?: string;
}

/**
 * Shared machinery of the fake providers: a real HTTP server on an ephemeral port with switches
 * for latency, failures, mid-stream drops and hangs, recording what it received.
 */
export abstract class FakeServer {
  readonly requests: RecordedRequest[] = [];
  /** Delay before the status line. */
  latencyMs = 0;
  /** Delay between stream events. */
  chunkDelayMs = 0;
  /** Never answer (for first-byte timeouts). */
  hang = false;
  /** Streams: destroy the socket after this many events. */
  dropAfterChunks: number | undefined;
  /** Connections whose response was aborted by the client (the socket closed early). */
  clientAborts = 0;
  private failures: Failure[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  /** The next `n` requests fail with `status` (and an error body in the provider's shape). */
  failNext(n: number, status: number, options: { body?: unknown; retryAfter?: string } = {}): void {
    for (let i = 0; i < n; i++) this.failures.push({ status, ...options });
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.dispatch(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  protected abstract handle(req: RecordedRequest, res: ServerResponse): Promise<void>;
  protected abstract errorBody(status: number): unknown;

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    const text = Buffer.concat(parts).toString('utf8');
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify(this.errorBody(400)));
      return;
    }
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body };
    this.requests.push(recorded);
    res.once('close', () => {
      if (!res.writableFinished) this.clientAborts++;
    });
    if (this.hang) return;
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    const failure = this.failures.shift();
    if (failure) {
      res.writeHead(failure.status, {
        'content-type': 'application/json',
        ...(failure.retryAfter ? { 'retry-after': failure.retryAfter } : {}),
      });
      res.end(JSON.stringify(failure.body ?? this.errorBody(failure.status)));
      return;
    }
    await this.handle(recorded, res);
  }

  /** Writes SSE events honouring chunkDelayMs and dropAfterChunks. */
  protected async writeEvents(res: ServerResponse, events: string[]): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    let sent = 0;
    for (const event of events) {
      if (this.dropAfterChunks !== undefined && sent >= this.dropAfterChunks) {
        res.socket?.destroy();
        return;
      }
      if (res.destroyed) return;
      if (this.chunkDelayMs > 0) await sleep(this.chunkDelayMs);
      res.write(event);
      sent++;
    }
    res.end();
  }

  /** Words of the answer: deterministic, derived from the last user message. */
  protected answerFor(body: Record<string, unknown>): string {
    const messages = (body['messages'] as Array<{ role: string; content: unknown }> | undefined) ?? [];
    const last = [...messages].reverse().find((m) => m.role === 'user');
    const text = typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content ?? '');
    return `You said: ${text.slice(0, 200)}`;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A rough token count for the fakes' usage numbers (whitespace-separated words). */
export function countTokens(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}
