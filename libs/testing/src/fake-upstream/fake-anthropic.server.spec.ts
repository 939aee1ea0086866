import { FakeAnthropicServer } from './fake-anthropic.server';

interface Event {
  event: string;
  data: Record<string, unknown>;
}

describe(FakeAnthropicServer.name, () => {
  const server = new FakeAnthropicServer();

  beforeAll(() => server.start());
  afterEach(() => server.reset());
  afterAll(() => server.close());

  const post = (body: Record<string, unknown>, headers: Record<string, string> = { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' }): Promise<Response> =>
    fetch(`${server.baseUrl}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  const request = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    model: 'claude-fake',
    max_tokens: 100,
    messages: [{ role: 'user', content: 'hello' }],
    ...extra,
  });

  async function events(res: Response): Promise<Event[]> {
    const text = await res.text();
    return text
      .split('\n\n')
      .filter(Boolean)
      .map((block) => {
        const lines = block.split('\n');
        const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? '';
        const data = JSON.parse(lines.find((l) => l.startsWith('data: '))?.slice(6) ?? '{}') as Record<string, unknown>;
        return { event, data };
      });
  }

  it('answers a message with text, stop_reason and usage', async () => {
    const res = await post(request());
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-fake',
      content: [{ type: 'text', text: 'You said: hello' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number) },
    });
  });

  it('streams the full event sequence, each with an event: line matching its type', async () => {
    const list = await events(await post(request({ stream: true })));
    expect(list.every((e) => e.event === e.data['type'])).toBe(true);
    const types = list.map((e) => e.event);
    expect(types.slice(0, 3)).toEqual(['message_start', 'ping', 'content_block_start']);
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(types.filter((t) => t === 'content_block_delta').length).toBeGreaterThan(1);
    expect(list.find((e) => e.event === 'message_delta')?.data).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { output_tokens: expect.any(Number) } });
  });

  it('streams a tool_use block with input_json_delta fragments when tools are offered and the user says “use the tool”', async () => {
    const list = await events(
      await post(request({ stream: true, messages: [{ role: 'user', content: 'use the tool please' }], tools: [{ name: 'weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }] })),
    );
    const toolStart = list.find((e) => e.event === 'content_block_start' && (e.data['content_block'] as { type: string }).type === 'tool_use');
    expect(toolStart?.data['content_block']).toMatchObject({ type: 'tool_use', name: 'weather', input: {} });
    const json = list
      .filter((e) => (e.data['delta'] as { type?: string } | undefined)?.type === 'input_json_delta')
      .map((e) => (e.data['delta'] as { partial_json: string }).partial_json)
      .join('');
    expect(JSON.parse(json)).toEqual({ city: 'Paris' });
    expect(list.find((e) => e.event === 'message_delta')?.data).toMatchObject({ delta: { stop_reason: 'tool_use' } });
  });

  it('honours stop_sequences and max_tokens', async () => {
    expect(await (await post(request({ messages: [{ role: 'user', content: 'a b c' }], stop_sequences: ['b'] }))).json()).toMatchObject({
      content: [{ text: 'You said: a ' }],
      stop_reason: 'stop_sequence',
      stop_sequence: 'b',
    });
    expect(await (await post(request({ messages: [{ role: 'user', content: 'a long sentence here' }], max_tokens: 1 }))).json()).toMatchObject({ stop_reason: 'max_tokens' });
  });

  it('wants x-api-key (401 authentication_error) and anthropic-version (400)', async () => {
    const noKey = await post(request(), { 'anthropic-version': '2023-06-01' });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'x-api-key header is required' } });
    const noVersion = await post(request(), { 'x-api-key': 'k' });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('rejects requests the translation must never produce: no max_tokens, assistant first, repeated roles, system role', async () => {
    const bad = [
      { model: 'm', messages: [{ role: 'user', content: 'x' }] },
      request({ messages: [{ role: 'assistant', content: 'x' }] }),
      request({ messages: [{ role: 'user', content: 'x' }, { role: 'user', content: 'y' }] }),
      request({ messages: [{ role: 'system', content: 'x' }] }),
      request({ messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }),
    ];
    for (const body of bad) expect((await post(body)).status).toBe(400);
  });

  it('fails as scripted with Anthropic error bodies, 529 overloaded_error included', async () => {
    server.failNext(1, 529);
    const res = await post(request());
    expect(res.status).toBe(529);
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  });

  it('sends an error event mid-stream when asked to', async () => {
    server.errorEventAfterChunks = 2;
    const list = await events(await post(request({ stream: true })));
    expect(list.map((e) => e.event)).toEqual(['message_start', 'ping', 'error']);
    expect(list[2]?.data).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  });
});
