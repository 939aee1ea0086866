import { BusError, type ChatCompletionChunk, type ChatCompletionRequest } from '@iir/contracts';
import { localModelName, type AgentBackend, type ChatRun, type Embedded, type LocalModel } from '../backend';
import { ChunkWriter, textOf } from '../http/chunks';
import { getJson, httpFailure, lines, localRequest } from '../http/local-http';

export interface OllamaBackendOptions {
  /** `OLLAMA_HOST`, e.g. http://127.0.0.1:11434. */
  baseUrl: string;
  /** Discovery calls and the wait for the first byte of an answer. */
  timeoutMs?: number;
  /** Longest silence between two chunks while a model generates. */
  idleMs?: number;
}

interface Tags {
  models?: Array<{ name?: string; model?: string }>;
}
interface OllamaLine {
  message?: { content?: string };
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  error?: string;
}

/**
 * The Mac's Ollama: its models from `/api/tags` (loaded ones from `/api/ps`), chat over `/api/chat`'s
 * NDJSON stream, mapped onto OpenAI chunks with Ollama's own token counts.
 */
export class OllamaBackend implements AgentBackend {
  readonly kind = 'ollama' as const;
  private problem: string | undefined = 'not asked yet';

  constructor(private readonly options: OllamaBackendOptions) {}

  async models(): Promise<LocalModel[]> {
    const [tags, ps] = await Promise.all([this.get<Tags>('/api/tags'), this.get<Tags>('/api/ps')]);
    if (!tags.ok) {
      this.problem = `ollama at ${this.options.baseUrl}: ${tags.why}`;
      return [];
    }
    this.problem = undefined;
    const loaded = new Set((ps.ok ? (ps.value.models ?? []) : []).map((m) => m.name ?? m.model));
    return (tags.value.models ?? [])
      .map((m) => m.name ?? m.model)
      .filter((name): name is string => typeof name === 'string' && name.length > 0)
      .map((name) => ({ id: name, name: localModelName(name), backend: 'ollama' as const, loaded: loaded.has(name) }));
  }

  status(): { up: boolean; detail?: string } {
    return this.problem ? { up: false, detail: this.problem } : { up: true };
  }

  async *chat(run: ChatRun): AsyncGenerator<ChatCompletionChunk, void> {
    const res = await localRequest({
      method: 'POST',
      url: `${this.base()}/api/chat`,
      body: ollamaBody(run.model.id, run.request),
      signal: run.signal,
      timeoutMs: this.options.timeoutMs ?? 60_000,
      idleMs: this.options.idleMs ?? 60_000,
    });
    if (res.statusCode !== 200) throw await httpFailure(res, 'ollama');
    const out = new ChunkWriter(run.request.model);
    yield out.delta({ role: 'assistant', content: '' });
    try {
      for await (const line of lines(res.body)) {
        const event = JSON.parse(line) as OllamaLine;
        if (event.error) throw new BusError('upstream_error', `ollama: ${event.error}`);
        if (event.message?.content) yield out.delta({ content: event.message.content });
        if (event.done) {
          yield out.delta({}, event.done_reason === 'length' ? 'length' : 'stop');
          const prompt = event.prompt_eval_count ?? 0;
          const completion = event.eval_count ?? 0;
          yield out.usage({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });
          return;
        }
      }
    } catch (error) {
      if (run.signal.aborted) return;
      throw error instanceof BusError ? error : new BusError('upstream_error', `ollama stream broke: ${(error as Error).message}`);
    } finally {
      res.body.destroy();
    }
    if (!run.signal.aborted) throw new BusError('upstream_error', 'ollama ended its stream before done');
  }

  /** `/api/embed`: one vector per input, Ollama's own token count. */
  async embed(model: LocalModel, texts: string[], signal: AbortSignal): Promise<Embedded> {
    const res = await localRequest({ method: 'POST', url: `${this.base()}/api/embed`, body: { model: model.id, input: texts }, signal, timeoutMs: this.options.timeoutMs ?? 60_000 });
    if (res.statusCode !== 200) throw await httpFailure(res, 'ollama');
    const body = (await res.body.json()) as { embeddings?: unknown; prompt_eval_count?: number };
    if (!Array.isArray(body.embeddings) || body.embeddings.length !== texts.length) throw new BusError('upstream_error', 'ollama sent malformed embeddings');
    return { vectors: body.embeddings as number[][], promptTokens: body.prompt_eval_count ?? 0 };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private base(): string {
    return this.options.baseUrl.replace(/\/+$/, '');
  }

  private get<T>(path: string): ReturnType<typeof getJson<T>> {
    return getJson<T>(`${this.base()}${path}`, this.options.timeoutMs ?? 2_000);
  }
}

/** OpenAI's request as Ollama's `/api/chat` body: messages (images as base64), options. */
export function ollamaBody(model: string, request: ChatCompletionRequest): Record<string, unknown> {
  const messages = request.messages.map((m) => {
    const images = Array.isArray(m.content) ? m.content.flatMap((p) => imageOf(p)) : [];
    return { role: m.role === 'developer' ? 'system' : m.role, content: textOf(m.content), ...(images.length > 0 ? { images } : {}) };
  });
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  const stop = typeof request.stop === 'string' ? [request.stop] : request.stop;
  const options = {
    ...(typeof maxTokens === 'number' ? { num_predict: maxTokens } : {}),
    ...(typeof request.temperature === 'number' ? { temperature: request.temperature } : {}),
    ...(typeof request.top_p === 'number' ? { top_p: request.top_p } : {}),
    ...(typeof request.seed === 'number' ? { seed: request.seed } : {}),
    ...(stop && stop.length > 0 ? { stop } : {}),
  };
  return { model, messages, stream: true, ...(Object.keys(options).length > 0 ? { options } : {}) };
}

function imageOf(part: unknown): string[] {
  const p = part as { type?: string; image_url?: { url?: string } | string };
  if (p?.type !== 'image_url') return [];
  const url = typeof p.image_url === 'string' ? p.image_url : p.image_url?.url;
  const match = typeof url === 'string' ? /^data:image\/[\w.+-]+;base64,(.+)$/.exec(url) : null;
  if (!match?.[1]) throw new BusError('invalid_request_error', 'Ollama takes images as data: URLs (base64); fetch remote images first.', { param: 'messages' });
  return [match[1]];
}
