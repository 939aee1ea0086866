import type { ServerResponse } from 'node:http';

/**
 * Writes server-sent events already framed by the endpoint's encoder (`data: {json}\n\n` for
 * OpenAI, `event: …\ndata: …\n\n` for Anthropic), with keep-alive comments while nothing else is
 * written.
 */
export class SseWriter {
  private corked = false;
  private keepAliveTimer: NodeJS.Timeout | undefined;

  constructor(private readonly res: ServerResponse) {
    res.once('close', () => this.stopKeepAlive());
  }

  /**
   * While nothing else is written for `intervalMs` (a model thinking before its first token, or
   * between two), writes an SSE comment: proxies and clients with read timeouts keep the stream,
   * and both OpenAI's and Anthropic's SDKs skip comments. Ends with the stream.
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

  /** Whole frames (one or more events); an empty string writes nothing. */
  write(frames: string): void {
    if (this.closed || frames.length === 0) return;
    this.batch();
    this.keepAliveTimer?.refresh();
    this.res.write(frames);
  }

  /** The last frames (a terminator, or an error event) and the end of the response. */
  end(frames: string): void {
    this.stopKeepAlive();
    if (!this.closed) this.res.end(frames);
  }
}
