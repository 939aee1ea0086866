import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { BusError, isErrorCode } from '@iir/contracts';
import { AsyncQueue } from '@iir/platform';

export interface WorkerChat {
  path: string;
  messages: unknown[];
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  stop?: string[];
}

export type WorkerEvent =
  | { type: 'text'; text: string }
  | { type: 'done'; finishReason: 'stop' | 'length'; promptTokens: number; completionTokens: number; aborted: boolean };

type Inbound =
  | { type: 'reply'; id: number; ok: boolean; error?: string; code?: string; info?: Record<string, unknown> }
  | ({ runId: number } & ({ type: 'failed'; code: string; message: string } | WorkerEvent));

/** Where `llama-worker.mjs` is: beside this file (tests, a checkout), or copied beside the bundle. */
export function workerScriptPath(): string {
  const candidates = [
    path.join(__dirname, 'llama-worker.mjs'),
    path.resolve(__dirname, '../../../apps/agent/src/backends/llama/llama-worker.mjs'),
    path.resolve(process.cwd(), 'apps/agent/src/backends/llama/llama-worker.mjs'),
  ];
  return candidates.find((p) => existsSync(p)) ?? (candidates[0] as string);
}

/**
 * The main thread's side of the llama worker: requests with replies (load, unload) and chat runs
 * whose tokens arrive as a queue. A worker that dies fails everything in flight with
 * `upstream_unavailable`; the next use starts a new one.
 */
export class LlamaWorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly replies = new Map<number, { resolve: (info: Record<string, unknown>) => void; reject: (error: unknown) => void }>();
  private readonly streams = new Map<number, AsyncQueue<WorkerEvent>>();
  private lastError: string | undefined;

  constructor(private readonly script = workerScriptPath()) {}

  get problem(): string | undefined {
    return this.lastError;
  }

  request(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.replies.set(id, { resolve, reject });
      this.ensure().postMessage({ ...message, id });
    });
  }

  /** Tokens as they come; `return()` (the caller stopped reading) aborts the generation. */
  chat(chat: WorkerChat, signal: AbortSignal): AsyncQueue<WorkerEvent> {
    const runId = this.nextId++;
    const abort = (): void => this.worker?.postMessage({ type: 'abort', runId });
    const queue = new AsyncQueue<WorkerEvent>(() => {
      abort();
      this.streams.delete(runId);
    });
    this.streams.set(runId, queue);
    signal.addEventListener('abort', abort, { once: true });
    this.ensure().postMessage({ type: 'chat', runId, ...chat });
    return queue;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script, { env: { ...process.env, NODE_LLAMA_CPP_SKIP_DOWNLOAD: 'true' } });
    // The agent's lifetime is its HTTP server and bus; an idle worker must not keep it alive.
    worker.unref();
    worker.on('message', (message: Inbound) => this.onMessage(message));
    worker.on('error', (error) => this.onExit(error.message));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.onExit(`the llama worker exited (code ${code})`);
    });
    this.worker = worker;
    return worker;
  }

  private onMessage(message: Inbound): void {
    if (message.type === 'reply') {
      const pending = this.replies.get(message.id);
      this.replies.delete(message.id);
      if (message.ok) pending?.resolve(message.info ?? {});
      else pending?.reject(new BusError(message.code && isErrorCode(message.code) ? message.code : 'upstream_unavailable', message.error ?? 'the llama worker failed'));
      return;
    }
    const queue = this.streams.get(message.runId);
    if (!queue) return;
    if (message.type === 'failed') {
      this.streams.delete(message.runId);
      queue.fail(new BusError(isErrorCode(message.code) ? message.code : 'upstream_error', message.message, message.code === 'rate_limit_exceeded' ? { retryAfterMs: 1_000 } : undefined));
    } else {
      queue.push(message);
      if (message.type === 'done') {
        this.streams.delete(message.runId);
        queue.end();
      }
    }
  }

  private onExit(reason: string): void {
    this.lastError = reason;
    this.worker = undefined;
    const error = new BusError('upstream_unavailable', reason);
    for (const pending of this.replies.values()) pending.reject(error);
    for (const queue of this.streams.values()) queue.fail(error);
    this.replies.clear();
    this.streams.clear();
  }
}
