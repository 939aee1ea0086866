import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeServerOptions {
  /**
   * Benchmark mode: answers from precomputed buffers, records nothing but counts, ignores the
   * switches except `failNext`. What a benchmark then measures is the gateway, not the fake.
   */
  instant?: boolean;
  /** When set, requests must carry this key (Bearer for OpenAI, `x-api-key` for Anthropic). */
  apiKey?: string;
  /** Defaults to 127.0.0.1 and an ephemeral port. */
  host?: string;
  port?: number;
}

/** One request the fake received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The parsed JSON body (`{}` when there was none). */
  body: Record<string, unknown>;
}

export interface Failure {
  status: number;
  /** The error body; the provider's own shape for `status` when left out. */
  body?: unknown;
  /** `Retry-After` value: seconds or an HTTP date. */
  retryAfter?: string | number;
  headers?: Record<string, string>;
}

/** How stream bytes are handed to the socket: per event, one byte at a time, or in odd-sized pieces. */
export type WriteSplit = 'events' | 'bytes' | 'odd';

/** One server-sent event to write. */
export interface SseOut {
  event?: string;
  data: string;
}

const ODD_PIECES = [1, 2, 5, 3, 7, 11, 13, 4];

/**
 * Shared machinery of the fake providers: a real `node:http` server on an ephemeral port, with
 * switches settable at any time and a record of what it received.
 */
export abstract class FakeServer {
  /** Requests received, in order (not kept in instant mode). */
  readonly requests: RecordedRequest[] = [];
  /** Requests received, instant mode included. */
  requestCount = 0;
  /** TCP connections accepted (keep-alive reuse keeps this low). */
  connectionCount = 0;
  /** Responses the client walked away from before they were complete. */
  clientAborts = 0;

  /** Delay before the status line. */
  latencyMs = 0;
  /** Delay between stream events. */
  chunkDelayMs = 0;
  /** Delay between a stream's headers and its first event (a model thinking before its first token). */
  firstChunkDelayMs = 0;
  /** Read requests and never answer them. */
  hang = false;
  /** Streams: destroy the socket after this many events (0: right after the headers). */
  dropAfterChunks: number | undefined;
  /** Streams: after this many events send the provider's in-stream error event and end. */
  errorEventAfterChunks: number | undefined;
  /** Streams: how the bytes are split into writes. */
  writeSplit: WriteSplit = 'events';
  /** Streams: `\n` or `\r\n` line endings. */
  lineEnding: '\n' | '\r\n' = '\n';
  /** Streams: a `: keep-alive` comment before every event. */
  keepAliveComments = false;
  /** Streams: each JSON payload over two `data:` lines. */
  multiLineData = false;

  protected readonly instant: boolean;
  private failures: Failure[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly deliberatelyDropped = new WeakSet<ServerResponse>();
  private readonly signals = new EventEmitter();

  constructor(protected readonly options: FakeServerOptions = {}) {
    this.instant = options.instant === true;
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  /** The base URL an adapter is given (`<url>/v1`). */
  get baseUrl(): string {
    return `${this.url}/v1`;
  }

  get port(): number {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error(`${this.constructor.name} is not started`);
    return (address as AddressInfo).port;
  }

  /** Listens; the result has `url`, `port` and `baseUrl`. */
  async start(): Promise<this> {
    if (this.server) return this;
    const server = createServer((req, res) => {
      this.dispatch(req, res).catch(() => res.destroy());
    });
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket: Socket) => {
      this.connectionCount++;
      this.sockets.add(socket);
      socket.setNoDelay(true);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next `n` requests to the main endpoint fail with `status` and the provider's error body. */
  failNext(n: number, status: number, options: Omit<Failure, 'status'> = {}): void {
    for (let i = 0; i < n; i++) this.failures.push({ status, ...options });
  }

  /** Resolves once `clientAborts` exceeds `seen` (the count before the action under test). */
  async waitForClientAbort(seen: number, timeoutMs = 5_000): Promise<void> {
    if (this.clientAborts > seen) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.signals.off('client-abort', check);
        reject(new Error(`no client abort within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = (): void => {
        if (this.clientAborts <= seen) return;
        clearTimeout(timer);
        this.signals.off('client-abort', check);
        resolve();
      };
      this.signals.on('client-abort', check);
    });
  }

  /** Switches back to their defaults; records cleared. */
  reset(): void {
    this.requests.length = 0;
    this.failures = [];
    this.latencyMs = 0;
    this.chunkDelayMs = 0;
    this.firstChunkDelayMs = 0;
    this.hang = false;
    this.dropAfterChunks = undefined;
    this.errorEventAfterChunks = undefined;
    this.writeSplit = 'events';
    this.lineEnding = '\n';
    this.keepAliveComments = false;
    this.multiLineData = false;
  }

  /** Handles one request whose body is read (and parsed, in normal mode). */
  protected abstract handle(req: RecordedRequest, res: ServerResponse): Promise<void> | void;
  /** Instant mode: answer from precomputed buffers; `raw` is the unparsed body. */
  protected abstract handleInstant(method: string, path: string, raw: string, res: ServerResponse): void;
  /** The provider's error body for a status. */
  protected abstract errorBody(status: number): unknown;
  /** The provider's in-stream error event. */
  protected abstract streamErrorEvent(): SseOut;

  /** The next scripted failure, if any; call it on the main endpoint only. */
  protected takeFailure(res: ServerResponse): boolean {
    const failure = this.failures.shift();
    if (!failure) return false;
    const headers: Record<string, string> = { ...failure.headers };
    if (failure.retryAfter !== undefined) headers['retry-after'] = String(failure.retryAfter);
    this.sendJson(res, failure.status, failure.body ?? this.errorBody(failure.status), headers);
    return true;
  }

  protected sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const payload = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(payload.length), ...headers });
    res.end(payload);
  }

  /**
   * Writes a 200 event stream, honouring `chunkDelayMs`, `dropAfterChunks`,
   * `errorEventAfterChunks` and the framing switches.
   */
  protected async writeEvents(res: ServerResponse, events: readonly SseOut[], headers: Record<string, string> = {}): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
    res.flushHeaders();
    let sent = 0;
    for (const event of events) {
      if (this.dropAfterChunks !== undefined && sent >= this.dropAfterChunks) {
        this.deliberatelyDropped.add(res);
        res.socket?.destroy();
        return;
      }
      if (this.errorEventAfterChunks !== undefined && sent >= this.errorEventAfterChunks) {
        await this.write(res, this.frame(this.streamErrorEvent()));
        res.end();
        return;
      }
      if (sent === 0 && this.firstChunkDelayMs > 0) await sleep(this.firstChunkDelayMs);
      if (sent > 0 && this.chunkDelayMs > 0) await sleep(this.chunkDelayMs);
      if (res.destroyed) return;
      await this.write(res, this.frame(event));
      sent++;
    }
    res.end();
  }

  /** One event in SSE framing. */
  protected frame(event: SseOut): string {
    const le = this.lineEnding;
    let out = this.keepAliveComments ? `: keep-alive${le}` : '';
    if (event.event !== undefined) out += `event: ${event.event}${le}`;
    if (this.multiLineData && event.data.startsWith('{') && event.data.length > 1) {
      // A newline right after `{` keeps the JSON valid once the two lines are joined.
      out += `data: {${le}data: ${event.data.slice(1)}${le}`;
    } else {
      out += `data: ${event.data}${le}`;
    }
    return out + le;
  }

  private async write(res: ServerResponse, text: string): Promise<void> {
    if (this.writeSplit === 'events') {
      await flushed(res, text);
      return;
    }
    const bytes = Buffer.from(text);
    let at = 0;
    let piece = 0;
    while (at < bytes.length && !res.destroyed) {
      const size = this.writeSplit === 'bytes' ? 1 : (ODD_PIECES[piece++ % ODD_PIECES.length] ?? 1);
      // Each piece leaves on its own before the next one is written.
      await flushed(res, bytes.subarray(at, at + size));
      at += size;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    this.requestCount++;
    res.once('close', () => {
      if (res.writableFinished || this.deliberatelyDropped.has(res)) return;
      this.clientAborts++;
      this.signals.emit('client-abort');
    });
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (this.instant) {
      if (!this.takeFailureIfMain(method, res)) this.handleInstant(method, path, raw, res);
      return;
    }
    let body: Record<string, unknown> = {};
    if (raw.length > 0) {
      try {
        const parsed = JSON.parse(raw) as unknown;
        body = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
      } catch {
        this.sendJson(res, 400, this.errorBody(400));
        return;
      }
    }
    const recorded: RecordedRequest = { method, path, headers: req.headers, body };
    this.requests.push(recorded);
    if (this.hang) return;
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    if (res.destroyed) return;
    await this.handle(recorded, res);
  }

  private takeFailureIfMain(method: string, res: ServerResponse): boolean {
    return method === 'POST' && this.takeFailure(res);
  }
}

/** Writes and waits until the bytes are handed to the socket, so a drop right after still delivers them. */
function flushed(res: ServerResponse, data: string | Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) resolve();
    else res.write(data, () => resolve());
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.once('end', () => resolve(parts.length === 1 ? (parts[0] as Buffer).toString('utf8') : Buffer.concat(parts).toString('utf8')));
    req.once('error', reject);
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
