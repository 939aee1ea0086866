import type { ServerResponse } from 'node:http';
import type { OpenAIErrorBody } from '@iir/contracts';

/** Writes OpenAI-framed server-sent events: `data: {json}\n\n`, ending with `data: [DONE]\n\n`. */
export class SseWriter {
  private corked = false;
  private keepAliveTimer: NodeJS.Timeout | undefined;

  constructor(private readonly res: ServerResponse) {
    res.once('close', () => this.stopKeepAlive());
  }

  /**
   * While nothing else is written for `intervalMs` (a model thinking before its first token, or
   * between two), writes an SSE comment: proxies and clients with read timeouts keep the stream,
   * and OpenAI's SDKs skip comments. Ends with the stream.
   */
  keepAlive(intervalMs: number): void {
    if (intervalMs <= 0 || this.closed) return;
    this.stopKeepAlive();
    this.keepAliveTimer = setTimeout(() => {
      if (this.closed) return;
      this.res.write(': keep-alive\n\n');
      this.keepAliveTimer?.refresh();
    }, intervalMs);
    this.keepAliveTimer.unref();
  }

  private stopKeepAlive(): void {
    clearTimeout(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
  }

  /**
   * Events produced in the same tick (an upstream read usually carries several) leave in one
   * socket write: cork now, uncork on the next tick. Adds no latency, saves a syscall per event.
   */
  private batch(): void {
    if (this.corked) return;
    this.corked = true;
    this.res.cork();
    process.nextTick(() => {
      this.corked = false;
      this.res.uncork();
    });
  }

  open(status: number, headers: Record<string, string>): void {
    this.res.writeHead(status, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    this.res.flushHeaders();
  }

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  data(value: unknown): void {
    if (this.closed) return;
    this.batch();
    this.keepAliveTimer?.refresh();
    this.res.write(`data: ${JSON.stringify(value)}\n\n`);
  }

  /** A failure after the stream started: an OpenAI error event, and no [DONE] (not a success). */
  fail(body: OpenAIErrorBody): void {
    this.stopKeepAlive();
    if (this.closed) return;
    this.res.end(`data: ${JSON.stringify(body)}\n\n`);
  }

  done(): void {
    this.stopKeepAlive();
    if (!this.closed) this.res.end('data: [DONE]\n\n');
  }
}
