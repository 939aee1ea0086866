import { FakeAnthropicServer, FakeOpenAIServer, OpenAISpec } from '@iir/testing';
import OpenAI from 'openai';
import { GatewayHarness, modelRecord, target } from './gateway-harness';

describe('gateway chat path (real NATS, scripted router, fake upstreams)', () => {
  const spec = OpenAISpec.load();
  const h = new GatewayHarness();
  const primary = new FakeOpenAIServer();
  const secondary = new FakeOpenAIServer();
  const anthropic = new FakeAnthropicServer();
  let client: OpenAI;

  beforeAll(async () => {
    await Promise.all([primary.start(), secondary.start(), anthropic.start()]);
    await h.start({ EXTERNAL_ANTHROPIC_KEY: 'sk-ant-test' });
    h.routes.set('fake/echo', [target('fake/echo', primary.baseUrl)]);
    h.routes.set('fake/flaky', [target('fake/flaky', primary.baseUrl), target('fake/backup', secondary.baseUrl)]);
    h.routes.set('anthropic/claude-fake', [
      target('anthropic/claude-fake', anthropic.baseUrl, { provider: 'anthropic', protocol: 'anthropic' }),
    ]);
    h.models = [
      modelRecord('fake/echo'),
      modelRecord('anthropic/claude-fake', { provider: 'anthropic', protocol: 'anthropic', aliases: ['claude'], contextWindow: 200000, modalities: { input: ['text', 'image'], output: ['text'] } }),
      modelRecord('fake/embedder', { modalities: { input: ['text'], output: ['embeddings'] } }),
    ];
    client = new OpenAI({ baseURL: `${h.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    await h.stop();
    await Promise.all([primary.close(), secondary.close(), anthropic.close()]);
  });

  beforeEach(() => {
    primary.dropAfterChunks = undefined;
    primary.hang = false;
  });

  it('answers a JSON chat completion that validates against OpenAI’s schema', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'fake/echo', messages: [{ role: 'user', content: 'hello there' }], temperature: 0 })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('You said: hello there');
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    expect(spec.errors('CreateChatCompletionResponse', data)).toEqual([]);
    expect(response.headers.get('x-iir-target')).toBe('fake/echo');
    expect(response.headers.get('x-iir-attempts')).toBe('1');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    // The upstream got its own model id and every parameter.
    const sent = primary.requests[primary.requests.length - 1]?.body;
    expect(sent).toMatchObject({ model: 'echo', temperature: 0 });
  });

  it('streams chunks that each validate, with usage only when include_usage is asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'fake/echo',
      messages: [{ role: 'user', content: 'stream me please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      expect(spec.errors('CreateChatCompletionStreamResponse', chunk)).toEqual([]);
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('You said: stream me please');
    expect(usage?.completion_tokens).toBeGreaterThan(0);

    const plain = await client.chat.completions.create({ model: 'fake/echo', messages: [{ role: 'user', content: 'x' }], stream: true });
    for await (const chunk of plain) expect(chunk.usage ?? undefined).toBeUndefined();
  });

  it('frames SSE exactly as OpenAI does and ends with [DONE]', async () => {
    const res = await fetch(`${h.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake/echo', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const raw = await res.text();
    const events = raw.split('\n\n').filter(Boolean);
    expect(events.every((e) => e.startsWith('data: '))).toBe(true);
    expect(events[events.length - 1]).toBe('data: [DONE]');
  });

  it('falls back to the next target when the first answers 503, and says so in the headers', async () => {
    primary.failNext(2, 503);
    const { data, response } = await client.chat.completions
      .create({ model: 'fake/flaky', messages: [{ role: 'user', content: 'fallback?' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('You said: fallback?');
    expect(response.headers.get('x-iir-target')).toBe('fake/backup');
    // One try and one retry on the first target, then the second target.
    expect(response.headers.get('x-iir-attempts')).toBe('3');
  });

  it('retries a 429 with Retry-After on the same target before giving up on it', async () => {
    primary.failNext(1, 429, { retryAfter: '0' });
    const { response } = await client.chat.completions
      .create({ model: 'fake/echo', messages: [{ role: 'user', content: 'again' }] })
      .withResponse();
    expect(response.headers.get('x-iir-attempts')).toBe('2');
    expect(response.headers.get('x-iir-target')).toBe('fake/echo');
  });

  it('lists models with OpenRouter’s architecture, supported_parameters and top_provider', async () => {
    const list = (await (await fetch(`${h.baseUrl}/v1/models`)).json()) as { data: Array<Record<string, unknown>> };
    const byId = new Map(list.data.map((m) => [m['id'], m]));
    expect(byId.get('fake/echo')).toMatchObject({
      architecture: { modality: 'text->text', input_modalities: ['text'], output_modalities: ['text'] },
      supported_parameters: expect.arrayContaining(['tools', 'response_format', 'seed']),
    });
    expect(byId.get('anthropic/claude-fake')).toMatchObject({
      architecture: { modality: 'text+image->text', input_modalities: ['text', 'image'] },
      supported_parameters: expect.arrayContaining(['top_k', 'tools']),
      top_provider: { context_length: 200000, is_moderated: false },
    });
    expect(byId.get('anthropic/claude-fake')?.['supported_parameters']).not.toContain('seed');
    expect(byId.get('fake/embedder')).toMatchObject({ architecture: { modality: 'text->embeddings' }, supported_parameters: ['input', 'encoding_format', 'dimensions', 'user'] });
  });

  it('takes OpenRouter’s `models` list without `model`: the first is asked for, the rest follow', async () => {
    const res = await fetch(`${h.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ models: ['nope/missing', 'fake/echo'], messages: [{ role: 'user', content: 'models only' }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-iir-target')).toBe('fake/echo');
    expect(h.plans.at(-1)).toMatchObject({ model: 'nope/missing', models: ['fake/echo'] });
    const body = (await res.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]?.message.content).toBe('You said: models only');
  });

  it('hands OpenRouter’s provider object to the router, never to the upstream, and refuses a malformed one', async () => {
    const provider = { order: ['fake'], ignore: ['anthropic'], allow_fallbacks: false, sort: 'price' };
    const post = (body: Record<string, unknown>) =>
      fetch(`${h.baseUrl}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const res = await post({ model: 'fake/echo', provider, messages: [{ role: 'user', content: 'with provider prefs' }] });
    expect(res.status).toBe(200);
    expect(h.plans.at(-1)?.provider).toEqual(provider);
    expect(primary.requests.at(-1)?.body).not.toHaveProperty('provider');
    const bad = await post({ model: 'fake/echo', provider: { sort: 'cheapest' }, messages: [{ role: 'user', content: 'x' }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('provider.sort');
  });

  it('answers 429 with Retry-After when every target is rate limited', async () => {
    // Retry-After beyond UPSTREAM_MAX_RETRY_WAIT_MS: no point waiting on this target.
    primary.failNext(1, 429, { retryAfter: '30' });
    const res = await fetch(`${h.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake/echo', messages: [{ role: 'user', content: 'limited' }] }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(res.headers.get('x-iir-attempts')).toBe('1');
    // The error answer keeps the plan's part of the receipt.
    expect(res.headers.get('x-iir-policy')).toBe('direct');
    expect(res.headers.get('x-iir-route-reason')).toBe('scripted');
    const body = (await res.json()) as { error: { type: string; code: string } };
    expect(body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(spec.errors('ErrorResponse', body)).toEqual([]);
  });

  it('ends a stream that breaks mid-way with an OpenAI error event, never a silent [DONE]', async () => {
    primary.dropAfterChunks = 2;
    const stream = await client.chat.completions.create({ model: 'fake/echo', messages: [{ role: 'user', content: 'one two three four' }], stream: true });
    const consume = async (): Promise<void> => {
      for await (const _chunk of stream) {
        // reading until the error arrives
      }
    };
    await expect(consume()).rejects.toThrow(/stream/i);
  });

  it('aborts the upstream at once when the client goes away mid-stream, then serves the next request', async () => {
    primary.chunkDelayMs = 50;
    const abortsBefore = primary.clientAborts;
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'fake/echo', messages: [{ role: 'user', content: 'a b c d e f g h i j k l m n o p' }], stream: true },
      { signal: controller.signal },
    );
    let received = 0;
    try {
      for await (const _chunk of stream) if (++received === 2) controller.abort();
    } catch {
      // the SDK may raise APIUserAbortError; either way the client is gone
    }
    expect(received).toBeLessThan(10);
    const deadline = Date.now() + 5_000;
    while (primary.clientAborts === abortsBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(primary.clientAborts).toBeGreaterThan(abortsBefore);
    primary.chunkDelayMs = 0;
    const next = await client.chat.completions.create({ model: 'fake/echo', messages: [{ role: 'user', content: 'still fine' }] });
    expect(next.choices[0]?.message.content).toBe('You said: still fine');
  });

  it('translates to Anthropic and back, JSON and streaming, tools included', async () => {
    const json = await client.chat.completions.create({
      model: 'anthropic/claude-fake',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello claude' },
      ],
    });
    expect(json.choices[0]?.message.content).toBe('You said: hello claude');
    expect(spec.errors('CreateChatCompletionResponse', json)).toEqual([]);
    const sent = anthropic.requests[anthropic.requests.length - 1];
    expect(sent?.body).toMatchObject({ system: 'be brief', max_tokens: 4096, model: 'claude-fake' });
    expect(sent?.headers['x-api-key']).toBe('sk-ant-test');

    const stream = await client.chat.completions.create({
      model: 'anthropic/claude-fake',
      messages: [{ role: 'user', content: 'please use the tool' }],
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let args = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      expect(spec.errors('CreateChatCompletionStreamResponse', chunk)).toEqual([]);
      args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(JSON.parse(args)).toEqual({ city: 'Paris' });
    expect(finish).toBe('tool_calls');
    expect(usage?.completion_tokens).toBe(7);
  });

  it('lists models in OpenAI’s shape with OpenRouter-style metadata, and gets one by id', async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['fake/echo', 'anthropic/claude-fake']));
    const res = await fetch(`${h.baseUrl}/v1/models`);
    const list = (await res.json()) as { data: Array<Record<string, unknown>> };
    expect(spec.errors('ListModelsResponse', list)).toEqual([]);
    expect(list.data[0]).toMatchObject({ context_length: 8192, provider: 'fake', kind: 'hosted', pricing: { prompt: expect.any(String) } });
    const one = await client.models.retrieve('anthropic/claude-fake');
    expect(one.id).toBe('anthropic/claude-fake');
    await expect(client.models.retrieve('nope/missing')).rejects.toMatchObject({ status: 404 });
  });
});
