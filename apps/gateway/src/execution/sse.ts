import type { ServerResponse } from 'node:http';
import type { OpenAIErrorBody } from '@iir/contracts';

/** Writes OpenAI-framed server-sent events: `data: {json}\n\n`, ending with `data: [DONE]\n\n`. */
export class SseWriter {
  private corked = false;

  constructor(private readonly res: ServerResponse) {}

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
    this.res.write(`data: ${JSON.stringify(value)}\n\n`);
  }

  /** A failure after the stream started: an OpenAI error event, and no [DONE] (not a success). */
  fail(body: OpenAIErrorBody): void {
    if (this.closed) return;
    this.res.end(`data: ${JSON.stringify(body)}\n\n`);
  }

  done(): void {
    if (!this.closed) this.res.end('data: [DONE]\n\n');
  }
}
