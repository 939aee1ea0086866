import type { ChatCompletionChunk, ChatCompletionRequest } from '@iir/contracts';

/** The backends an agent can drive, one folder each under `backends/`. */
export const BACKEND_KINDS = ['llama', 'ollama', 'openai-compatible'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

/** One model a backend can serve right now. */
export interface LocalModel {
  /** What the backend calls it: a GGUF file's stem, an Ollama tag (`llama3.2:3b`), an `/v1/models` id. */
  id: string;
  /** The registry name it is offered under: `local/<name>` (lower-case, `[a-z0-9._:-]`). */
  name: string;
  backend: BackendKind;
  /** Whether it is in memory now (a loaded GGUF, Ollama's `/api/ps`); unknown counts as not loaded. */
  loaded: boolean;
  contextLength?: number;
}

/**
 * One chat completion on a backend. `request.model` is the registry name the gateway asked for; the
 * backend runs `model.id`. The stream is OpenAI chat completion chunks: a first chunk with
 * `delta.role: 'assistant'`, content deltas, one chunk with the honest `finish_reason` (`stop` or
 * `length`), and a last chunk with `choices: []` and `usage` (the backend's own token counts).
 * Aborting `signal` stops generation at once and frees what it held. Errors are `BusError`s:
 * `invalid_request_error` (the request's fault), `model_not_found`, `upstream_unavailable` (the
 * backend is down), `rate_limit_exceeded` with `details.retryAfterMs`.
 */
export interface ChatRun {
  model: LocalModel;
  request: ChatCompletionRequest;
  signal: AbortSignal;
}

/** Vectors for texts, one each in order, and the texts' tokens as the backend counted them. */
export interface Embedded {
  vectors: number[][];
  promptTokens: number;
}

/** A local inference backend, described as data (its kind, its settings) and driven through this. */
export interface AgentBackend {
  readonly kind: BackendKind;
  /** What it serves now. Never throws: a backend that is away serves nothing (and says so in `status`). */
  models(): Promise<LocalModel[]>;
  chat(run: ChatRun): AsyncIterable<ChatCompletionChunk>;
  /** Embeddings, for backends that make them (errors as for `chat`). */
  embed?(model: LocalModel, texts: string[], signal: AbortSignal): Promise<Embedded>;
  /** `up`, or why not (`ollama at http://127.0.0.1:11434: connection refused`). */
  status(): { up: boolean; detail?: string };
  /** Frees models and sockets; the agent is stopping. */
  close(): Promise<void>;
}

/** `local/<name>`: the registry name of a model a backend serves under `id`. */
export function localModelName(id: string): string {
  const name = id
    .trim()
    .toLowerCase()
    .replace(/\.gguf$/, '')
    .replace(/[^a-z0-9._:-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `local/${name.length > 0 ? name : 'model'}`;
}
