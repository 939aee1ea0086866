import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
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

export type Inbound =
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

/** Where the engine runs: `auto` = on the agent's own thread when it can import the engine natively, else in a worker thread. */
export type LlamaThread = 'auto' | 'worker';

/** Where a started engine runs. */
export type EngineThread = 'agent-thread' | 'worker';

/** The engine as the client sees it: messages in, and a way to stop it. */
interface EnginePort {
  readonly kind: EngineThread;
  post(message: Record<string, unknown>): void;
  close(): Promise<void>;
}

/** `import()` as Node does it, out of esbuild's reach (it would turn it into a `require`, which cannot load ESM with top-level await). */
const nativeImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

/** What `llama-worker.mjs` exports: one engine per call, fed messages, answering through `post`. */
export interface EngineModule {
  serve(post: (message: Inbound) => void): (message: unknown) => void;
}

export interface LlamaWorkerClientOptions {
  /** `llama-worker.mjs` (default: found beside the code or the bundle). */
  script?: string;
  thread?: LlamaThread;
  /** Imports the engine for the agent's thread (default: Node's own `import()`; tests inject one). */
  importEngine?: (url: string) => Promise<unknown>;
  /** How long `close()` waits for the engine to let its models go (default 2 s). */
  closeTimeoutMs?: number;
}

/**
 * The agent's side of the llama engine (`llama-worker.mjs`): requests with replies (load, unload,
 * embed) and chat runs whose tokens arrive as a queue.
 *
 * The engine runs on the agent's own thread when it can: node-llama-cpp computes on threads of its
 * own either way, and every thread hop costs a wake-up on the way to the first token (~0.1–0.2 ms
 * each way on a small VM). Where the engine cannot be imported natively (Jest's VM), or with
 * `thread: 'worker'`, it runs in a worker thread instead; a worker that dies fails everything in
 * flight with `upstream_unavailable`, and the next use starts a new one.
 */
export class LlamaWorkerClient {
  private port: Promise<EnginePort> | undefined;
  /** The worker thread, when the engine runs in one. */
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly replies = new Map<number, { resolve: (info: Record<string, unknown>) => void; reject: (error: unknown) => void }>();
  private readonly streams = new Map<number, AsyncQueue<WorkerEvent>>();
  private lastError: string | undefined;

  private readonly script: string;
  private readonly thread: LlamaThread;
  private readonly importEngine: (url: string) => Promise<unknown>;
  private readonly closeTimeoutMs: number;

  constructor(options: LlamaWorkerClientOptions = {}) {
    this.script = options.script ?? workerScriptPath();
    this.thread = options.thread ?? 'auto';
    this.importEngine = options.importEngine ?? nativeImport;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 2_000;
  }

  get problem(): string | undefined {
    return this.lastError;
  }

  /** Where the engine runs, once it has started (`undefined` before, or after `close()`): never starts one. */
  async where(): Promise<EngineThread | undefined> {
    const port = this.port;
    return port ? (await port.catch(() => undefined))?.kind : undefined;
  }

  request(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.replies.set(id, { resolve, reject });
      this.send({ ...message, id });
    });
  }

  /** Tokens as they come; `return()` (the caller stopped reading) aborts the generation. */
  chat(chat: WorkerChat, signal: AbortSignal): AsyncQueue<WorkerEvent> {
    const runId = this.nextId++;
    const abort = (): void => {
      if (this.port) this.send({ type: 'abort', runId });
    };
    const queue = new AsyncQueue<WorkerEvent>(() => {
      abort();
      this.streams.delete(runId);
    });
    this.streams.set(runId, queue);
    signal.addEventListener('abort', abort, { once: true });
    this.send({ type: 'chat', runId, ...chat });
    return queue;
  }

  /**
   * Stops the engine: whatever is in flight fails at once (as when a worker dies: a stream cut by
   * shutdown is an error, never an answer that looks complete), then the engine lets its models go
   * (the worker is terminated), waiting at most `closeTimeoutMs` for it.
   */
  async close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    this.worker = undefined;
    this.failAll(new BusError('upstream_unavailable', 'the llama engine was stopped'));
    const opened = await port?.catch(() => undefined);
    if (!opened) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      opened.close().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.closeTimeoutMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }

  private send(message: Record<string, unknown>): void {
    const port = this.ensure();
    port.then(
      (opened) => {
        try {
          opened.post(message);
        } catch (error) {
          this.failOne(message, error);
        }
      },
      (error: unknown) => {
        const reason = `the llama engine could not start: ${(error as Error).message}`;
        if (this.port === port) this.onExit(reason);
        else this.failOne(message, new Error(reason));
      },
    );
  }

  /** One message the engine could not take: its request or run fails, nothing else. */
  private failOne(message: Record<string, unknown>, error: unknown): void {
    const failure = new BusError('upstream_unavailable', `the llama engine could not take a ${String(message['type'])} message: ${(error as Error).message}`);
    const id = message['id'];
    if (typeof id === 'number') {
      this.replies.get(id)?.reject(failure);
      this.replies.delete(id);
    }
    const runId = message['runId'];
    if (message['type'] === 'chat' && typeof runId === 'number') {
      this.streams.get(runId)?.fail(failure);
      this.streams.delete(runId);
    }
  }

  private ensure(): Promise<EnginePort> {
    this.port ??= this.open();
    return this.port;
  }

  private async open(): Promise<EnginePort> {
    if (this.thread === 'auto') {
      const engine = await this.importEngine(pathToFileURL(this.script).href).catch(() => undefined);
      if (engine && typeof (engine as { serve?: unknown }).serve === 'function') return this.inThread(engine as EngineModule);
    }
    return this.inWorker();
  }

  /** On this thread: a message is a call, each way. */
  private inThread(engine: EngineModule): EnginePort {
    process.env['NODE_LLAMA_CPP_SKIP_DOWNLOAD'] = 'true';
    const handle = engine.serve((message) => this.onMessage(message));
    return {
      kind: 'agent-thread',
      post: (message) => handle(message),
      close: async () => {
        const id = this.nextId++;
        await new Promise((resolve) => {
          this.replies.set(id, { resolve, reject: resolve });
          handle({ type: 'close', id });
        });
      },
    };
  }

  private inWorker(): EnginePort {
    const worker = new Worker(this.script, { workerData: { llamaEngine: true }, env: { ...process.env, NODE_LLAMA_CPP_SKIP_DOWNLOAD: 'true' } });
    // The agent's lifetime is its HTTP server and bus; an idle worker must not keep it alive.
    worker.unref();
    const port: EnginePort = {
      kind: 'worker',
      post: (message) => worker.postMessage(message),
      close: async () => {
        await worker.terminate();
      },
    };
    this.worker = worker;
    worker.on('message', (message: Inbound) => this.onMessage(message));
    worker.on('error', (error) => {
      if (this.worker === worker) this.onExit(error.message);
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.onExit(`the llama worker exited (code ${code})`);
    });
    return port;
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
    this.port = undefined;
    this.worker = undefined;
    this.failAll(new BusError('upstream_unavailable', reason));
  }

  private failAll(error: BusError): void {
    for (const pending of this.replies.values()) pending.reject(error);
    for (const queue of this.streams.values()) queue.fail(error);
    this.replies.clear();
    this.streams.clear();
  }
}
