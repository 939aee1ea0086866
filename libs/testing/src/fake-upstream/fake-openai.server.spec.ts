import OpenAI from 'openai';
import { OpenAISpec } from '../openapi';
import { FakeOpenAIServer } from './fake-openai.server';

describe(FakeOpenAIServer.name, () => {
  const spec = OpenAISpec.load();
  const server = new FakeOpenAIServer({ apiKey: 'sk-fake' });
  let client: OpenAI;

  beforeAll(async () => {
    await server.start();
    client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'sk-fake', maxRetries: 0 });
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it('answers a chat completion the openai SDK reads, valid against OpenAI’s schema, echoing the last user message', async () => {
    const res = await client.chat.completions.create({ model: 'gpt-fake', messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'hello there' }] });
    expect(res.choices[0]?.message.content).toBe('You said: hello there');
    expect(res.model).toBe('gpt-fake');
    expect(res.usage?.total_tokens).toBe((res.usage?.prompt_tokens ?? 0) + (res.usage?.completion_tokens ?? 0));
    expect(spec.errors('CreateChatCompletionResponse', res)).toEqual([]);
  });

  it('streams valid chunks: role first, several content pieces, finish_reason, usage only when asked, then [DONE]', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-fake',
      messages: [{ role: 'user', content: 'one two three' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      expect(spec.errors('CreateChatCompletionStreamResponse', chunk)).toEqual([]);
      chunks.push(chunk);
    }
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('You said: one two three');
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(2);
    expect(chunks[chunks.length - 2]?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks[chunks.length - 1]?.usage?.completion_tokens).toBeGreaterThan(0);

    const plain = await client.chat.completions.create({ model: 'gpt-fake', messages: [{ role: 'user', content: 'x' }], stream: true });
    for await (const chunk of plain) expect(chunk.usage ?? undefined).toBeUndefined();
  });

  it('calls a tool when tools are offered and the user says “use the tool”', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-fake',
      messages: [{ role: 'user', content: 'please use the tool' }],
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } } } } }],
    });
    expect(res.choices[0]?.finish_reason).toBe('tool_calls');
    const call = res.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'Paris', days: 42 });
  });

  it('lists its model', async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toEqual(['fake-model']);
  });

  it('fails the next requests as scripted, in OpenAI’s error shape with Retry-After', async () => {
    server.failNext(1, 429, { retryAfter: 2 });
    const res = await fetch(`${server.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-fake', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    const body = await res.json();
    expect(spec.errors('ErrorResponse', body)).toEqual([]);
    await expect(client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).resolves.toBeTruthy();
  });

  it('rejects a wrong key with 401 and a request without messages with 400 naming the parameter', async () => {
    const wrong = new OpenAI({ baseURL: server.baseUrl, apiKey: 'sk-nope', maxRetries: 0 });
    await expect(wrong.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(client.chat.completions.create({ model: 'm', messages: [] })).rejects.toMatchObject({ status: 400, param: 'messages' });
  });

  it('records each request with its headers and parsed body, and counts connections', async () => {
    await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 0.5 });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: { model: 'm', temperature: 0.5 } });
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-fake');
    expect(server.connectionCount).toBeGreaterThan(0);
  });

  it('in instant mode answers from precomputed buffers and only counts requests', async () => {
    const instant = await new FakeOpenAIServer({ instant: true }).start();
    try {
      const fast = new OpenAI({ baseURL: instant.baseUrl, apiKey: 'x', maxRetries: 0 });
      const res = await fast.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
      expect(res.choices[0]?.message.content).toBe('Hello! This is the fake upstream.');
      const stream = await fast.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } });
      let usage: OpenAI.CompletionUsage | undefined | null;
      for await (const chunk of stream) usage = chunk.usage ?? usage;
      expect(usage?.total_tokens).toBeGreaterThan(0);
      expect(instant.requestCount).toBe(2);
      expect(instant.requests).toHaveLength(0);
    } finally {
      await instant.close();
    }
  });
});
