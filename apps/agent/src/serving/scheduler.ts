import { BusError } from '@iir/contracts';

export interface SchedulerOptions {
  /** Generations at once (`AGENT_PARALLEL`): the backends' parallel sequences. */
  parallel: number;
  /** Requests allowed to wait beyond that (`AGENT_QUEUE_MAX`); one more is a 429. */
  queueMax: number;
}

interface Waiter {
  start: () => void;
  fail: (error: unknown) => void;
}

/**
 * The agent's slots: at most `parallel` generations run, up to `queueMax` wait in order, and the next
 * one is refused with `rate_limit_exceeded` (the gateway's 429 with `Retry-After`, and its cue to
 * fall back) rather than queueing without end on the owner's machine. A waiter whose client goes
 * away leaves the queue at once; a finished or aborted run hands its slot to the next waiter.
 */
export class Scheduler {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  /** Mean run time, for `Retry-After` (seeded so the first 429 says something sensible). */
  private meanRunMs = 2_000;

  constructor(private readonly options: SchedulerOptions) {}

  get inFlight(): number {
    return this.running;
  }

  get queueLength(): number {
    return this.waiting.length;
  }

  get freeSlots(): number {
    return Math.max(0, this.options.parallel - this.running);
  }

  get parallel(): number {
    return this.options.parallel;
  }

  /** Waits for a slot; resolves to its release (call it exactly once, when the run ends). */
  async acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) throw cancelled();
    if (this.running < this.options.parallel && this.waiting.length === 0) return this.take();
    if (this.waiting.length >= this.options.queueMax) {
      const retryAfterMs = this.retryAfterMs();
      throw new BusError('rate_limit_exceeded', `The agent is busy: ${this.running} running, ${this.waiting.length} queued (AGENT_QUEUE_MAX).`, {
        retryAfterMs,
      });
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        fail: reject,
      };
      const onAbort = (): void => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(cancelled());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
    return this.take(true);
  }

  /** `reserved`: the slot was already counted when a finishing run handed it over. */
  private take(reserved = false): () => void {
    if (!reserved) this.running++;
    const startedAt = Date.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.meanRunMs = this.meanRunMs * 0.8 + (Date.now() - startedAt) * 0.2;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so nobody can jump the queue in between.
      if (next) next.start();
      else this.running--;
    };
  }

  private retryAfterMs(): number {
    const ahead = this.waiting.length + 1;
    return Math.max(1_000, Math.ceil((this.meanRunMs * ahead) / Math.max(1, this.options.parallel)));
  }
}

function cancelled(): BusError {
  return new BusError('upstream_error', 'The request was cancelled by the caller.');
}
