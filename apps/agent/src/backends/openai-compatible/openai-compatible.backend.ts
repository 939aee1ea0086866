import { BusError, type ChatCompletionChunk } from '@iir/contracts';
import { localModelName, type AgentBackend, type ChatRun, type Embedded, type LocalModel } from '../backend';
import { ChunkWriter } from '../http/chunks';
import { getJson, httpFailure, lines, localRequest } from '../http/local-http';

export interface OpenAICompatibleBackendOptions {
  /** The server's `…/v1` root: LM Studio http://127.0.0.1:1234/v1, llama.cpp, mlx_lm.server. */
  baseUrl: string;
  apiKey?: string;
  timeoutMs?: number;
  idleMs?: number;
}

/**
 * Any local OpenAI-compatible server: models from `/v1/models`, chat streamed from
 * `/v1/chat/completions` (always with usage asked for) and relabelled with the registry name.
 */
export class OpenAICompatibleBackend implements AgentBackend {
  readonly kind = 'openai-compatible' as const;
  private problem: string | undefined = 'not asked yet';

  constructor(private readonly options: OpenAICompatibleBackendOptions) {}

  async models(): Promise<LocalModel[]> {
    const list = await getJson<{ data?: Array<{ id?: string }> }>(`${this.base()}/models`, this.options.timeoutMs ?? 2_000, this.auth());
    if (!list.ok) {
      this.problem = `${this.options.baseUrl}: ${list.why}`;
      return [];
    }
    this.problem = undefined;
    return (list.value.data ?? [])
      .map((m) => m.id)
      .filter((id): id is string => typeof id === 'string' && id.length > 0)
      .map((id) => ({ id, name: localModelName(id.split('/').pop() ?? id), backend: 'openai-compatible' as const, loaded: false }));
  }

  /** `/v1/embeddings`, as floats. */
  async embed(model: LocalModel, texts: string[], signal: AbortSignal): Promise<Embedded> {
    const res = await localRequest({
      method: 'POST',
      url: `${this.base()}/embeddings`,
      body: { model: model.id, input: texts, encoding_format: 'float' },
      headers: this.auth(),
      signal,
      timeoutMs: this.options.timeoutMs ?? 60_000,
    });
    if (res.statusCode !== 200) throw await httpFailure(res, this.options.baseUrl);
    const body = (await res.body.json()) as { data?: Array<{ index?: number; embedding?: unknown }>; usage?: { prompt_tokens?: number } };
    const data = [...(body.data ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    if (data.length !== texts.length || !data.every((d) => Array.isArray(d.embedding))) throw new BusError('upstream_error', `${this.options.baseUrl} sent malformed embeddings`);
    return { vectors: data.map((d) => d.embedding as number[]), promptTokens: body.usage?.prompt_tokens ?? 0 };
  }

  status(): { up: boolean; detail?: string } {
    return this.problem ? { up: false, detail: this.problem } : { up: true };
  }

  async *chat(run: ChatRun): AsyncGenerator<ChatCompletionChunk, void> {
    const res = await localRequest({
      method: 'POST',
      url: `${this.base()}/chat/completions`,
      body: { ...run.request, model: run.model.id, stream: true, stream_options: { include_usage: true } },
      headers: this.auth(),
      signal: run.signal,
      timeoutMs: this.options.timeoutMs ?? 60_000,
      idleMs: this.options.idleMs ?? 60_000,
    });
    if (res.statusCode !== 200) throw await httpFailure(res, this.options.baseUrl);
    const out = new ChunkWriter(run.request.model);
    let usage = false;
    let chars = 0;
    try {
      for await (const line of lines(res.body)) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') break;
        const chunk = JSON.parse(data) as ChatCompletionChunk & { error?: { message?: string } };
        if (chunk.error) throw new BusError('upstream_error', `${this.options.baseUrl}: ${chunk.error.message ?? 'error'}`);
        if (chunk.usage) usage = true;
        for (const c of chunk.choices ?? []) chars += typeof c.delta?.content === 'string' ? c.delta.content.length : 0;
        yield { ...chunk, model: run.request.model };
      }
    } catch (error) {
      if (run.signal.aborted) return;
      throw error instanceof BusError ? error : new BusError('upstream_error', `${this.options.baseUrl} stream broke: ${(error as Error).message}`);
    } finally {
      res.body.destroy();
    }
    // Some servers ignore include_usage. The gateway meters every answer, so estimate (≈ 4
    // characters a token) rather than report nothing; a server that counts wins.
    if (!usage && !run.signal.aborted) {
      const prompt = Math.ceil(JSON.stringify(run.request.messages).length / 4);
      const completion = Math.ceil(chars / 4);
      yield out.usage({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private base(): string {
    return this.options.baseUrl.replace(/\/+$/, '');
  }

  private auth(): Record<string, string> {
    return this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {};
  }
}
