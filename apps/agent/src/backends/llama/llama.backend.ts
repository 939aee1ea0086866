import { existsSync } from 'node:fs';
import path from 'node:path';
import { BusError, type ChatCompletionChunk, type ChatCompletionRequest } from '@iir/contracts';
import { background } from '@iir/platform';
import type { AgentBackend, ChatRun, Embedded, LocalModel } from '../backend';
import { listGgufFiles, type GgufFile } from './gguf-files';
import { LlamaWorkerClient, type EngineThread, type LlamaThread } from './llama-worker-client';

export interface LlamaBackendOptions {
  modelPaths: readonly string[];
  modelsDir?: string;
  /** File path → registry name, for files whose stem is not the name wanted. */
  names?: Readonly<Record<string, string>>;
  threads: number;
  contextSize: number;
  /** When a request sets no max_tokens (a tiny base model may never emit its end token). */
  defaultMaxTokens?: number;
  /** Sequences per context: generations of one model at once. */
  parallel: number;
  /** Load every model at start rather than on first use. */
  preload: boolean;
  /** Unload a model idle this long (seconds; 0 = keep it). */
  idleUnloadS: number;
  /** Metal on a Mac; CPU elsewhere (this machine has no GPU to look for). */
  gpu?: 'auto' | false;
  /** Where node-llama-cpp's engine runs (`AGENT_LLAMA_THREAD`): `auto` = on the agent's thread when it can be, `worker` = always in a worker thread. */
  thread?: LlamaThread;
  /** Whether node-llama-cpp is installed (an optional dependency). */
  available?: () => boolean;
  onError?: (message: string, error: unknown) => void;
  /** A model is loaded, and where its engine runs. */
  onLoaded?: (path: string, engine: EngineThread) => void;
}

interface Loaded {
  state: 'loading' | 'loaded';
  ready: Promise<void>;
  active: number;
  idleTimer?: NodeJS.Timeout;
}

/**
 * GGUF files run by node-llama-cpp (Metal on Apple Silicon by itself, CPU elsewhere; on the agent's
 * thread, or in a worker thread where it cannot be loaded there): the chat template from the file,
 * tokens streamed as they come, usage from the model's own tokenizer, and the memory given back
 * after `idleUnloadS` without a request.
 */
export class LlamaBackend implements AgentBackend {
  readonly kind = 'llama' as const;
  private readonly worker: LlamaWorkerClient;
  private readonly loaded = new Map<string, Loaded>();
  private problem: string | undefined;
  private found = false;
  /** The files the last listing found, by registry name: a request looks its file up here, no disk I/O. */
  private byName = new Map<string, GgufFile>();

  constructor(private readonly options: LlamaBackendOptions) {
    this.worker = new LlamaWorkerClient({ thread: options.thread ?? 'auto' });
  }

  /** Where the engine runs once started: on the agent's thread, or in a worker thread (`undefined` before it starts). */
  engineThread(): Promise<EngineThread | undefined> {
    return this.worker.where();
  }

  start(): void {
    if (!this.options.preload || !this.installed()) return;
    for (const file of this.files()) background(() => this.load(file), (error) => this.fail(`could not preload ${file.path}`, error));
  }

  models(): Promise<LocalModel[]> {
    if (!this.installed()) return Promise.resolve([]);
    return Promise.resolve(
      this.files().map((f) => ({ id: f.id, name: f.name, backend: 'llama' as const, loaded: this.loaded.get(f.path)?.state === 'loaded', contextLength: this.options.contextSize })),
    );
  }

  status(): { up: boolean; detail?: string } {
    if (!this.installed()) return { up: false, detail: 'node-llama-cpp is not installed (an optional dependency: npm install node-llama-cpp@3.21.1)' };
    const problem = this.problem ?? this.worker.problem;
    return problem ? { up: true, detail: problem } : { up: true };
  }

  async *chat(run: ChatRun): AsyncGenerator<ChatCompletionChunk, void> {
    const file = this.byName.get(run.model.name) ?? this.files().find((f) => f.name === run.model.name);
    if (!file) throw new BusError('model_not_found', `No GGUF file serves '${run.model.name}' any more.`, { param: 'model' });
    const entry = await this.use(file);
    const id = `chatcmpl-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const created = Math.floor(Date.now() / 1000);
    const model = run.request.model;
    const chunk = (delta: Record<string, unknown>, finish: 'stop' | 'length' | null = null): ChatCompletionChunk =>
      ({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] }) as ChatCompletionChunk;
    const events = this.worker.chat({ path: file.path, messages: run.request.messages, maxTokens: this.options.defaultMaxTokens, ...params(run.request) }, run.signal);
    try {
      yield chunk({ role: 'assistant', content: '' });
      for await (const event of events) {
        if (event.type === 'text') {
          yield chunk({ content: event.text });
          continue;
        }
        if (event.aborted) return;
        yield chunk({}, event.finishReason);
        const usage = { prompt_tokens: event.promptTokens, completion_tokens: event.completionTokens, total_tokens: event.promptTokens + event.completionTokens };
        yield { id, object: 'chat.completion.chunk', created, model, choices: [], usage } as ChatCompletionChunk;
      }
    } finally {
      await events.return();
      this.release(file.path, entry);
    }
  }

  /** node-llama-cpp's embedding context on the same loaded model (any GGUF can; an embedding model's vectors mean more). */
  async embed(model: LocalModel, texts: string[]): Promise<Embedded> {
    const file = this.byName.get(model.name) ?? this.files().find((f) => f.name === model.name);
    if (!file) throw new BusError('model_not_found', `No GGUF file serves '${model.name}' any more.`, { param: 'model' });
    const entry = await this.use(file);
    try {
      const info = await this.worker.request({ type: 'embed', path: file.path, texts, threads: this.options.threads });
      return { vectors: info['vectors'] as number[][], promptTokens: Number(info['promptTokens'] ?? 0) };
    } finally {
      this.release(file.path, entry);
    }
  }

  async close(): Promise<void> {
    for (const entry of this.loaded.values()) clearTimeout(entry.idleTimer);
    this.loaded.clear();
    await this.worker.close();
  }

  /** Looked up on disk until found, then known: an installed package does not go away under a running agent, and a request should cost no file lookups. */
  private installed(): boolean {
    if (this.found) return true;
    this.found = (this.options.available ?? nodeLlamaCppInstalled)();
    return this.found;
  }

  private files(): GgufFile[] {
    const files = listGgufFiles(this.options.modelPaths, this.options.modelsDir, this.options.names);
    this.byName = new Map(files.map((f) => [f.name, f]));
    return files;
  }

  private async use(file: GgufFile): Promise<Loaded> {
    if (!this.installed()) throw new BusError('upstream_unavailable', this.status().detail ?? 'node-llama-cpp is not installed');
    await this.load(file);
    const entry = this.loaded.get(file.path) as Loaded;
    clearTimeout(entry.idleTimer);
    entry.active++;
    return entry;
  }

  /** Concurrent first uses share one load. */
  private load(file: GgufFile): Promise<void> {
    const known = this.loaded.get(file.path);
    if (known) return known.ready;
    const entry: Loaded = { state: 'loading', active: 0, ready: Promise.resolve() };
    entry.ready = this.worker
      .request({ type: 'load', path: file.path, contextSize: this.options.contextSize, threads: this.options.threads, sequences: this.options.parallel, gpu: this.options.gpu ?? (process.platform === 'darwin' ? 'auto' : false) })
      .then(
        () => {
          entry.state = 'loaded';
          this.problem = undefined;
          this.scheduleUnload(file.path, entry);
          this.worker.where().then((engine) => engine && this.options.onLoaded?.(file.path, engine), () => undefined);
        },
        (error: unknown) => {
          this.loaded.delete(file.path);
          this.problem = `could not load ${file.path}: ${BusError.from(error).message}`;
          throw new BusError('upstream_unavailable', this.problem);
        },
      );
    this.loaded.set(file.path, entry);
    return entry.ready;
  }

  private release(path: string, entry: Loaded): void {
    entry.active = Math.max(0, entry.active - 1);
    this.scheduleUnload(path, entry);
  }

  private scheduleUnload(path: string, entry: Loaded): void {
    if (this.options.idleUnloadS <= 0 || entry.active > 0) return;
    clearTimeout(entry.idleTimer);
    entry.idleTimer = setTimeout(() => {
      if (entry.active > 0 || this.loaded.get(path) !== entry) return;
      this.loaded.delete(path);
      background(() => this.worker.request({ type: 'unload', path }), (error) => this.fail(`could not unload ${path}`, error));
    }, this.options.idleUnloadS * 1000);
    entry.idleTimer.unref();
  }

  private fail(message: string, error: unknown): void {
    this.problem = `${message}: ${BusError.from(error).message}`;
    this.options.onError?.(message, error);
  }
}

/** The OpenAI parameters the worker understands, checked by the caller's validation. */
function params(request: ChatCompletionRequest): { maxTokens?: number; temperature?: number; topP?: number; seed?: number; stop?: string[] } {
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  const stop = typeof request.stop === 'string' ? [request.stop] : (request.stop ?? undefined);
  return {
    ...(typeof maxTokens === 'number' ? { maxTokens } : {}),
    ...(typeof request.temperature === 'number' ? { temperature: request.temperature } : {}),
    ...(typeof request.top_p === 'number' ? { topP: request.top_p } : {}),
    ...(typeof request.seed === 'number' ? { seed: request.seed } : {}),
    ...(stop && stop.length > 0 ? { stop } : {}),
  };
}

function nodeLlamaCppInstalled(): boolean {
  // Looked up by path: the package is ESM-only and exports no `package.json`, so require.resolve cannot.
  const dirs = [...(require.resolve.paths('node-llama-cpp') ?? []), path.resolve(process.cwd(), 'node_modules')];
  return dirs.some((dir) => existsSync(path.join(dir, 'node-llama-cpp', 'package.json')));
}
