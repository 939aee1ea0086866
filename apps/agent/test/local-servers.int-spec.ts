import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BusError, type ChatCompletionChunk, type ChatCompletionRequest } from '@iir/contracts';
import { FakeOpenAIServer, waitFor } from '@iir/testing';
import type { LocalModel } from '../src/backends/backend';
import { OllamaBackend } from '../src/backends/ollama/ollama.backend';
import { OpenAICompatibleBackend } from '../src/backends/openai-compatible/openai-compatible.backend';
import { ModelDiscovery } from '../src/discovery/model-discovery';

/**
 * A fake Ollama on a real socket, speaking its wire format: `/api/tags`, `/api/ps`, `/api/chat`
 * as NDJSON lines ending with `done: true`, `done_reason` and the token counts, and `/api/embed`
 * (`{embeddings: [[…]], prompt_eval_count}`).
 */
class FakeOllama {
  tags = ['llama3.2:3b'];
  loaded: string[] = [];
  readonly chats: Array<Record<string, unknown>> = [];
  /** Delay between lines, for aborts; `closed` counts requests whose client went away. */
  slowMs = 0;
  closed = 0;
  private server: Server | undefined;

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  /** Every open connection reset, as a crashing server would. */
  dropConnections(): void {
    this.server?.closeAllConnections();
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const piece of req) raw += String(piece);
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    };
    if (req.url === '/api/tags') return json(200, { models: this.tags.map((name) => ({ name, model: name, size: 2_019_393_189, details: { family: 'llama', parameter_size: '3.2B', quantization_level: 'Q4_K_M' } })) });
    if (req.url === '/api/ps') return json(200, { models: this.loaded.map((name) => ({ name, model: name, size_vram: 1 })) });
    if (req.url === '/api/embed') {
      const body = JSON.parse(raw) as { model: string; input: string | string[] };
      if (!this.tags.includes(body.model)) return json(404, { error: `model "${body.model}" not found, try pulling it first` });
      const inputs = typeof body.input === 'string' ? [body.input] : body.input;
      return json(200, { model: body.model, embeddings: inputs.map((t) => [t.length, 0.5, -0.5]), total_duration: 1, prompt_eval_count: inputs.join(' ').split(/\s+/).length });
    }
    if (req.url !== '/api/chat') return json(404, { error: 'not found' });
    const body = JSON.parse(raw) as { model: string; options?: { num_predict?: number } };
    this.chats.push(body);
    if (!this.tags.includes(body.model)) return json(404, { error: `model "${body.model}" not found, try pulling it first` });
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.on('close', () => {
      if (!res.writableFinished) this.closed++;
    });
    const words = ['Hello', ' from', ' Ollama', '!', ' More', ' words', ' here', '.'];
    const limit = body.options?.num_predict ?? words.length;
    const sent = words.slice(0, Math.min(limit, words.length));
    for (const w of sent) {
      if (res.destroyed) return;
      res.write(`${JSON.stringify({ model: body.model, created_at: new Date().toISOString(), message: { role: 'assistant', content: w }, done: false })}\n`);
      if (this.slowMs) await new Promise((r) => setTimeout(r, this.slowMs));
    }
    res.end(`${JSON.stringify({ model: body.model, created_at: new Date().toISOString(), message: { role: 'assistant', content: '' }, done: true, done_reason: limit < words.length ? 'length' : 'stop', total_duration: 1, prompt_eval_count: 11, eval_count: sent.length })}\n`);
  }
}

const ask = (model: string, extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({ model, messages: [{ role: 'user', content: 'hi' }], ...extra });

async function collect(chunks: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const out: ChatCompletionChunk[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

describe('the agent on local servers (a fake Ollama and a fake OpenAI-compatible server, real HTTP)', () => {
  const ollama = new FakeOllama();
  const lmStudio = new FakeOpenAIServer();
  let backend: OllamaBackend;

  beforeAll(async () => {
    await Promise.all([ollama.start(), lmStudio.start()]);
    backend = new OllamaBackend({ baseUrl: ollama.url });
  });
  afterAll(async () => {
    await Promise.all([ollama.close(), lmStudio.close()]);
  });

  it('lists Ollama models as local/<name>, loaded ones from /api/ps', async () => {
    ollama.loaded = ['llama3.2:3b'];
    expect(await backend.models()).toEqual([{ id: 'llama3.2:3b', name: 'local/llama3.2:3b', backend: 'ollama', loaded: true }]);
    expect(backend.status()).toEqual({ up: true });
    ollama.loaded = [];
  });

  it("streams Ollama's NDJSON as OpenAI chunks, with its token counts and finish reason", async () => {
    const [model] = (await backend.models()) as [LocalModel];
    const chunks = await collect(backend.chat({ model, request: ask('local/llama3.2:3b', { max_tokens: 3, temperature: 0.2, seed: 7, stop: ['\n'] }), signal: new AbortController().signal }));
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('Hello from Ollama');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('length');
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 });
    expect(ollama.chats.at(-1)).toEqual({
      model: 'llama3.2:3b',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      options: { num_predict: 3, temperature: 0.2, seed: 7, stop: ['\n'] },
    });
  });

  it('maps Ollama errors onto BusError codes, and refuses remote image URLs', async () => {
    const ghost: LocalModel = { id: 'ghost:1b', name: 'local/ghost:1b', backend: 'ollama', loaded: false };
    const missing = await collect(backend.chat({ model: ghost, request: ask('local/ghost:1b'), signal: new AbortController().signal })).catch((e: unknown) => e);
    expect(BusError.from(missing).code).toBe('model_not_found');
    const [model] = (await backend.models()) as [LocalModel];
    const image = ask('local/llama3.2:3b', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] } as never);
    const refused = await collect(backend.chat({ model, request: image, signal: new AbortController().signal })).catch((e: unknown) => e);
    expect(BusError.from(refused).code).toBe('invalid_request_error');
  });

  it('stops the HTTP request when the caller aborts', async () => {
    ollama.slowMs = 100;
    const [model] = (await backend.models()) as [LocalModel];
    const abort = new AbortController();
    const before = ollama.closed;
    for await (const c of backend.chat({ model, request: ask('local/llama3.2:3b'), signal: abort.signal })) {
      if (c.choices[0]?.delta?.content) abort.abort();
    }
    await waitFor(() => ollama.closed > before, { what: 'the fake Ollama to see its client go' });
    ollama.slowMs = 0;
  });

  it('fails a stream whose connection drops mid-answer with an error, never an agent crash', async () => {
    ollama.slowMs = 50;
    const [model] = (await backend.models()) as [LocalModel];
    const seen: string[] = [];
    const run = (async () => {
      for await (const c of backend.chat({ model, request: ask('local/llama3.2:3b'), signal: new AbortController().signal })) {
        const text = c.choices[0]?.delta?.content;
        if (text) {
          seen.push(text);
          // the server goes away after the first words
          if (seen.length === 2) ollama.dropConnections();
        }
      }
    })();
    await expect(run).rejects.toBeInstanceOf(BusError);
    ollama.slowMs = 0;
  });

  it('serves nothing and says why when Ollama is not running', async () => {
    const away = new OllamaBackend({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 500 });
    expect(await away.models()).toEqual([]);
    expect(away.status()).toMatchObject({ up: false, detail: expect.stringContaining('http://127.0.0.1:1') });
    const failed = await collect(away.chat({ model: { id: 'x', name: 'local/x', backend: 'ollama', loaded: false }, request: ask('local/x'), signal: new AbortController().signal })).catch((e: unknown) => e);
    expect(BusError.from(failed).code).toBe('upstream_unavailable');
  });

  it('lists and streams an OpenAI-compatible server (LM Studio), asking it for usage', async () => {
    lmStudio.modelId = 'qwen/qwen2.5-7b-instruct';
    const lm = new OpenAICompatibleBackend({ baseUrl: lmStudio.baseUrl });
    const models = await lm.models();
    expect(models).toEqual([{ id: 'qwen/qwen2.5-7b-instruct', name: 'local/qwen2.5-7b-instruct', backend: 'openai-compatible', loaded: false }]);
    const chunks = await collect(lm.chat({ model: models[0] as LocalModel, request: ask('local/qwen2.5-7b-instruct', { max_tokens: 50 }), signal: new AbortController().signal }));
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('').length).toBeGreaterThan(0);
    expect(chunks.every((c) => c.model === 'local/qwen2.5-7b-instruct')).toBe(true);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
    expect(lmStudio.requests.at(-1)?.body).toMatchObject({ model: 'qwen/qwen2.5-7b-instruct', stream: true, stream_options: { include_usage: true }, max_tokens: 50 });
  });

  it('estimates usage when an OpenAI-compatible server sends none, and maps its errors', async () => {
    const lm = new OpenAICompatibleBackend({ baseUrl: lmStudio.baseUrl });
    const [model] = (await lm.models()) as [LocalModel];
    lmStudio.omitUsage = true;
    const chunks = await collect(lm.chat({ model, request: ask('local/qwen2.5-7b-instruct'), signal: new AbortController().signal }));
    lmStudio.omitUsage = false;
    expect(chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
    lmStudio.failNext(1, 429);
    const busy = await collect(lm.chat({ model, request: ask('local/qwen2.5-7b-instruct'), signal: new AbortController().signal })).catch((e: unknown) => e);
    expect(BusError.from(busy).code).toBe('rate_limit_exceeded');
    lmStudio.failNext(1, 500);
    const broken = await collect(lm.chat({ model, request: ask('local/qwen2.5-7b-instruct'), signal: new AbortController().signal })).catch((e: unknown) => e);
    expect(BusError.from(broken).code).toBe('upstream_unavailable');
  });

  it('makes embeddings on Ollama (/api/embed) and on an OpenAI-compatible server (/v1/embeddings)', async () => {
    const [model] = (await backend.models()) as [LocalModel];
    expect(await backend.embed(model, ['one two', 'three'], new AbortController().signal)).toEqual({ vectors: [[7, 0.5, -0.5], [5, 0.5, -0.5]], promptTokens: 3 });
    const lm = new OpenAICompatibleBackend({ baseUrl: lmStudio.baseUrl });
    const [served] = (await lm.models()) as [LocalModel];
    const embedded = await lm.embed(served, ['alpha', 'beta'], new AbortController().signal);
    expect(embedded.vectors).toHaveLength(2);
    expect(embedded.vectors[0]).toHaveLength(8);
    expect(embedded.promptTokens).toBe(2);
    expect(lmStudio.requests.at(-1)).toMatchObject({ path: '/v1/embeddings', body: { model: served.id, input: ['alpha', 'beta'], encoding_format: 'float' } });
  });

  it('discovers a model that appears on Ollama within one interval, and one that vanishes', async () => {
    const discovery = new ModelDiscovery({ backends: [backend, new OpenAICompatibleBackend({ baseUrl: lmStudio.baseUrl })], intervalMs: 100 });
    const seen: string[][] = [];
    discovery.onChange((models) => seen.push(models.map((m) => m.name)));
    discovery.start();
    try {
      await waitFor(() => seen.length > 0, { what: 'the first discovery' });
      expect(seen.at(-1)).toEqual(['local/llama3.2:3b', 'local/qwen2.5-7b-instruct']);
      ollama.tags = ['llama3.2:3b', 'mistral:7b'];
      await waitFor(() => seen.at(-1)?.includes('local/mistral:7b') === true, { what: 'mistral to be discovered' });
      expect(discovery.find('local/mistral:7b')?.backend).toBe(backend);
      expect(discovery.find('mistral:7b')?.model.id).toBe('mistral:7b');
      ollama.tags = ['llama3.2:3b'];
      await waitFor(() => seen.at(-1)?.includes('local/mistral:7b') === false, { what: 'mistral to vanish' });
    } finally {
      discovery.stop();
      ollama.tags = ['llama3.2:3b'];
    }
  });
});
