import Anthropic from '@anthropic-ai/sdk';
import { FakeAnthropicServer, FakeOpenAIServer } from '@iir/testing';
import { GatewayHarness, modelRecord, target } from './gateway-harness';
import { ScriptedAuth } from './scripted-auth';

const KEY = 'sk-static-test-key';

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('Anthropic Messages API inbound (the @anthropic-ai/sdk as the client)', () => {
  const h = new GatewayHarness();
  const openai = new FakeOpenAIServer();
  const anthropic = new FakeAnthropicServer({ apiKey: 'sk-ant-upstream' });
  let client: Anthropic;

  beforeAll(async () => {
    await Promise.all([openai.start(), anthropic.start()]);
    await h.start({ GATEWAY_API_KEYS: KEY, EXTERNAL_ANTHROPIC_KEY: 'sk-ant-upstream' });
    h.routes.set('fake/echo', [target('fake/echo', openai.baseUrl)]);
    h.routes.set('anthropic/claude-fake', [target('anthropic/claude-fake', anthropic.baseUrl, { provider: 'anthropic', protocol: 'anthropic' })]);
    h.models = [modelRecord('fake/echo'), modelRecord('anthropic/claude-fake', { provider: 'anthropic', protocol: 'anthropic' })];
    client = new Anthropic({ baseURL: h.baseUrl, apiKey: KEY, maxRetries: 0 });
  });

  afterAll(async () => {
    await h.stop();
    await Promise.all([openai.close(), anthropic.close()]);
  });

  describe('to an OpenAI-compatible upstream (translated both ways)', () => {
    it('messages.create answers a message with usage and the routing receipt', async () => {
      const { data, response } = await client.messages
        .create({ model: 'fake/echo', max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'hello there' }] })
        .withResponse();
      expect(data.type).toBe('message');
      expect(data.role).toBe('assistant');
      expect(data.content).toEqual([{ type: 'text', text: 'You said: hello there' }]);
      expect(data.stop_reason).toBe('end_turn');
      expect(data.usage.input_tokens).toBeGreaterThan(0);
      expect(data.usage.output_tokens).toBe(5);
      expect(response.headers.get('x-iir-target')).toBe('fake/echo');
      expect(response.headers.get('x-request-id')).toBeTruthy();
      const sent = openai.requests[openai.requests.length - 1]?.body;
      expect(sent).toMatchObject({ model: 'echo', max_tokens: 100, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello there' }] });
    });

    it('a small max_tokens stops with max_tokens', async () => {
      const data = await client.messages.create({ model: 'fake/echo', max_tokens: 2, messages: [{ role: 'user', content: 'one two three four' }] });
      expect(data.stop_reason).toBe('max_tokens');
      expect(data.usage.output_tokens).toBe(2);
    });

    it('messages.stream streams text deltas and ends with the final usage', async () => {
      const stream = client.messages.stream({ model: 'fake/echo', max_tokens: 100, messages: [{ role: 'user', content: 'stream me please' }] });
      let text = '';
      stream.on('text', (delta) => (text += delta));
      const final = await stream.finalMessage();
      expect(text).toBe('You said: stream me please');
      expect(final.content).toEqual([expect.objectContaining({ type: 'text', text: 'You said: stream me please' })]);
      expect(final.stop_reason).toBe('end_turn');
      expect(final.usage.output_tokens).toBeGreaterThan(0);
      expect(final.usage.input_tokens).toBeGreaterThan(0);
    });

    it('messages.stream assembles a tool call from input_json_delta events, arguments intact', async () => {
      const stream = client.messages.stream({
        model: 'fake/echo',
        max_tokens: 100,
        tools: [weatherTool],
        messages: [{ role: 'user', content: 'What is the weather? use the tool get_weather' }],
      });
      const fragments: string[] = [];
      stream.on('inputJson', (partial) => fragments.push(partial));
      const final = await stream.finalMessage();
      expect(fragments.length).toBeGreaterThan(1);
      expect(fragments.join('')).toBe('{"city":"Paris"}');
      const call = final.content.find((b) => b.type === 'tool_use');
      expect(call).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } });
      expect(final.stop_reason).toBe('tool_use');
      // The upstream got an OpenAI tool definition.
      const sent = openai.requests[openai.requests.length - 1]?.body as { tools?: unknown[] };
      expect(sent.tools).toEqual([{ type: 'function', function: { name: 'get_weather', description: 'Current weather for a city', parameters: weatherTool.input_schema } }]);
    });

    it('runs an agent loop: tool call, tool result, final answer', async () => {
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Paris? use the tool get_weather' }];
      const first = await client.messages.create({ model: 'fake/echo', max_tokens: 100, tools: [weatherTool], messages });
      expect(first.stop_reason).toBe('tool_use');
      const call = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
      expect(call?.input).toEqual({ city: 'Paris' });
      messages.push({ role: 'assistant', content: first.content });
      messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: call?.id ?? '', content: '18 degrees and sunny' }] });
      const second = client.messages.stream({ model: 'fake/echo', max_tokens: 100, tools: [weatherTool], messages });
      const final = await second.finalMessage();
      expect(final.content[0]).toMatchObject({ type: 'text', text: 'Tool result: 18 degrees and sunny' });
      expect(final.stop_reason).toBe('end_turn');
      const sent = openai.requests[openai.requests.length - 1]?.body as { messages: Array<Record<string, unknown>> };
      expect(sent.messages.slice(-2)).toEqual([
        expect.objectContaining({ role: 'assistant', tool_calls: [{ id: call?.id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }),
        { role: 'tool', tool_call_id: call?.id, content: '18 degrees and sunny' },
      ]);
    });

    it('count_tokens estimates and says so', async () => {
      const { data, response } = await client.messages
        .countTokens({ model: 'fake/echo', messages: [{ role: 'user', content: 'count these words please' }] })
        .withResponse();
      expect(data.input_tokens).toBeGreaterThan(0);
      expect(response.headers.get('x-iir-token-count')).toBe('estimate');
    });

    it('serves a repeated temperature-0 request from the cache, JSON and stream alike', async () => {
      const body = { model: 'fake/echo', max_tokens: 50, temperature: 0, messages: [{ role: 'user' as const, content: `cache me ${Date.now()}` }] };
      const first = await client.messages.create(body).withResponse();
      const again = await client.messages.create(body).withResponse();
      expect(first.response.headers.get('x-iir-cache')).toBe('miss');
      expect(again.response.headers.get('x-iir-cache')).toBe('hit');
      expect(again.data).toEqual(first.data);
      const streamed = async (): Promise<{ text: string; cache: string | null }> => {
        const { data: stream, response } = await client.messages.create({ ...body, stream: true }).withResponse();
        let text = '';
        for await (const event of stream) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
        return { text, cache: response.headers.get('x-iir-cache') };
      };
      const s1 = await streamed();
      const s2 = await streamed();
      expect([s1.cache, s2.cache]).toEqual(['miss', 'hit']);
      expect(s2.text).toBe(s1.text);
      expect(s1.text).toBe(first.data.content[0]?.type === 'text' ? first.data.content[0].text : '');
    });
  });

  describe('to an Anthropic upstream (passed through)', () => {
    it('sends the body untouched, anthropic-beta included, and answers with the upstream message', async () => {
      const request = {
        model: 'anthropic/claude-fake',
        max_tokens: 200,
        system: [{ type: 'text' as const, text: 'You are terse.', cache_control: { type: 'ephemeral' as const } }],
        messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hello claude', cache_control: { type: 'ephemeral' as const } }] }],
        metadata: { user_id: 'user-7' },
        stop_sequences: ['###'],
        top_k: 3,
        thinking: { type: 'enabled' as const, budget_tokens: 1024 },
      };
      const { data, response } = await client.messages.create(request, { headers: { 'anthropic-beta': 'prompt-caching-2024-07-31' } }).withResponse();
      expect(data.id).toMatch(/^msg_fake/);
      expect(data.content).toEqual([{ type: 'text', text: 'You said: hello claude' }]);
      expect(response.headers.get('x-iir-provider')).toBe('anthropic');
      const sent = anthropic.requests[anthropic.requests.length - 1];
      expect(sent?.body).toEqual({ ...request, model: 'claude-fake' });
      expect(sent?.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31');
      expect(sent?.headers['x-api-key']).toBe('sk-ant-upstream');
    });

    it('relays every stream event as the upstream sent it, ping and tool input deltas included', async () => {
      const { data: stream } = await client.messages
        .create({
          model: 'anthropic/claude-fake',
          max_tokens: 100,
          stream: true,
          tools: [weatherTool],
          messages: [{ role: 'user', content: 'weather? use the tool get_weather' }],
        })
        .withResponse();
      const types: string[] = [];
      let json = '';
      for await (const event of stream) {
        types.push(event.type);
        if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') json += event.delta.partial_json;
      }
      expect(types[0]).toBe('message_start');
      expect(types[types.length - 1]).toBe('message_stop');
      expect(JSON.parse(json)).toEqual({ city: 'Paris' });

      // Byte for byte: the gateway's stream is the upstream's events, re-framed identically.
      const direct = await fetch(`${anthropic.baseUrl}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-upstream', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'claude-fake', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'byte check' }] }),
      });
      const viaIir = await fetch(`${h.baseUrl}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'anthropic/claude-fake', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'byte check' }] }),
      });
      const normalise = (text: string): string => text.replace(/msg_fake\d+/g, 'msg_X');
      const relayed = await viaIir.text();
      // (the SDK's iterator skips pings; the wire has them)
      expect(relayed).toContain('event: ping\n');
      expect(normalise(relayed)).toBe(normalise(await direct.text()));
    });

    it('forwards count_tokens to the upstream, whose count is the answer', async () => {
      const { data, response } = await client.messages
        .countTokens({ model: 'anthropic/claude-fake', messages: [{ role: 'user', content: 'count me' }] })
        .withResponse();
      expect(response.headers.get('x-iir-token-count')).toBe('upstream');
      expect(data.input_tokens).toBe(4 + 2);
    });

    it('falls back to the estimate when an Anthropic-protocol upstream has no count_tokens', async () => {
      h.routes.set('anthropic/no-count', [target('anthropic/no-count', openai.baseUrl, { provider: 'anthropic', protocol: 'anthropic' })]);
      const { data, response } = await client.messages.countTokens({ model: 'anthropic/no-count', messages: [{ role: 'user', content: 'count me' }] }).withResponse();
      expect(response.headers.get('x-iir-token-count')).toBe('estimate');
      expect(data.input_tokens).toBeGreaterThan(0);
    });

    it('counts count_tokens against the key’s requests per minute', async () => {
      const auth = await new ScriptedAuth(h.bus).start();
      try {
        const limited = new Anthropic({ baseURL: h.baseUrl, apiKey: auth.add(`count-${Date.now()}`, null, { rpm: 2 }), maxRetries: 0 });
        const count = () => limited.messages.countTokens({ model: 'anthropic/claude-fake', messages: [{ role: 'user', content: 'x' }] });
        await count();
        await count();
        const third = await count().catch((e: unknown) => e);
        expect(third).toBeInstanceOf(Anthropic.RateLimitError);
        expect((third as InstanceType<typeof Anthropic.RateLimitError>).error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
      } finally {
        await auth.stop();
      }
    });

    it('an upstream error event mid-stream reaches the client as an Anthropic error event', async () => {
      anthropic.errorEventAfterChunks = 3;
      try {
        const stream = client.messages.stream({ model: 'anthropic/claude-fake', max_tokens: 100, messages: [{ role: 'user', content: 'this will fail midway' }] });
        await expect(stream.finalMessage()).rejects.toThrow(/Overloaded|sent an error/);
      } finally {
        anthropic.errorEventAfterChunks = undefined;
      }
    });
  });

  describe('errors in Anthropic’s shape', () => {
    it('an unknown model is a 404 not_found_error', async () => {
      const error = await client.messages.create({ model: 'nope/nothing', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Anthropic.NotFoundError);
      expect((error as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    });

    it('a wrong key is a 401 authentication_error', async () => {
      const wrong = new Anthropic({ baseURL: h.baseUrl, apiKey: 'sk-wrong', maxRetries: 0 });
      const error = await wrong.messages.create({ model: 'fake/echo', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
      expect((error as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    });

    it.each([
      ['malformed JSON', '{"model":', /could not parse the JSON/],
      ['a missing max_tokens', JSON.stringify({ model: 'fake/echo', messages: [{ role: 'user', content: 'x' }] }), /max_tokens: Field required/],
      ['a wrong type', JSON.stringify({ model: 'fake/echo', max_tokens: 'ten', messages: [] }), /max_tokens/],
    ])('%s is a 400 invalid_request_error', async (_what, body, message) => {
      const res = await fetch(`${h.baseUrl}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body });
      expect(res.status).toBe(400);
      const json = (await res.json()) as { type: string; error: { type: string; message: string } };
      expect(json.type).toBe('error');
      expect(json.error.type).toBe('invalid_request_error');
      expect(json.error.message).toMatch(message);
    });

    it('a dead upstream is an error the SDK raises, never a hang', async () => {
      h.routes.set('fake/dead', [target('fake/dead', 'http://127.0.0.1:9/v1')]);
      const error = await client.messages.create({ model: 'fake/dead', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Anthropic.APIError);
      expect((error as InstanceType<typeof Anthropic.APIError>).status).toBeGreaterThanOrEqual(500);
      expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: expect.stringMatching(/overloaded_error|api_error/) } });
    });
  });
});
