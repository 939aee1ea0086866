import type { ChatCompletionChunk, ChatCompletionRequest, Target } from '@iir/contracts';
import { FakeAnthropicServer, TOOL_CALL_COMPLETION_TOKENS } from '@iir/testing';
import { UpstreamHttpClient } from '../http/upstream-client';
import { UpstreamError, type UpstreamCall } from '../provider';
import { AnthropicAdapter } from './anthropic.adapter';
import { ANTHROPIC } from './anthropic.provider';

const KEY = 'sk-ant-test-0123456789';
const WEATHER = { type: 'function' as const, function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };

function callTo(baseUrl: string, body: Partial<ChatCompletionRequest> = {}, extra: { apiKey?: string; signal?: AbortSignal } = {}): UpstreamCall {
  const target: Target = { model: 'anthropic/claude-fake', provider: 'anthropic', kind: 'hosted', protocol: 'anthropic', baseUrl, upstreamModel: 'claude-fake' };
  return {
    target,
    provider: ANTHROPIC,
    body: { model: 'claude-fake', messages: [{ role: 'user', content: 'hello claude' }], ...body },
    apiKey: 'apiKey' in extra ? extra.apiKey : KEY,
    signal: extra.signal ?? new AbortController().signal,
    timeouts: { connectMs: 2_000, firstByteMs: 5_000, totalMs: 20_000 },
  };
}

async function collect(chunks: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const out: ChatCompletionChunk[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UpstreamError) return error;
    throw error;
  }
  throw new Error('expected an UpstreamError');
}

describe(AnthropicAdapter.name, () => {
  const server = new FakeAnthropicServer({ apiKey: KEY });
  const http = new UpstreamHttpClient();
  const adapter = new AnthropicAdapter(http, () => 1_750_000_000_000);

  beforeAll(async () => {
    await server.start();
  });
  afterEach(() => server.reset());
  afterAll(async () => {
    await http.close();
    await server.close();
  });

  describe('JSON', () => {
    it('sends a Messages request with the key, the version, the system prompt and alternating roles', async () => {
      await adapter.complete(
        callTo(server.baseUrl, {
          messages: [
            { role: 'system', content: 'be brief' },
            { role: 'user', content: 'first' },
            { role: 'user', content: 'hello claude' },
          ],
          temperature: 0.2,
          stop: ['STOP'],
        }),
      );
      const sent = server.requests[0];
      expect(sent?.path).toBe('/v1/messages');
      expect(sent?.headers['x-api-key']).toBe(KEY);
      expect(sent?.headers['anthropic-version']).toBe('2023-06-01');
      expect(sent?.headers.authorization).toBeUndefined();
      expect(sent?.body).toEqual({
        model: 'claude-fake',
        system: 'be brief',
        max_tokens: 4096,
        temperature: 0.2,
        stop_sequences: ['STOP'],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'first' }, { type: 'text', text: 'hello claude' }] }],
      });
    });

    it('answers an OpenAI chat completion with Anthropic’s id and model, stop finish_reason and usage', async () => {
      const res = await adapter.complete(callTo(server.baseUrl));
      expect(res).toMatchObject({ object: 'chat.completion', id: expect.stringMatching(/^msg_fake/), model: 'claude-fake', created: 1_750_000_000 });
      expect(res.choices[0]).toMatchObject({ index: 0, message: { role: 'assistant', content: 'You said: hello claude' }, finish_reason: 'stop' });
      expect(res.usage?.prompt_tokens).toBeGreaterThan(0);
      expect(res.usage?.completion_tokens).toBeGreaterThan(0);
      expect(res.usage?.total_tokens).toBe((res.usage?.prompt_tokens ?? 0) + (res.usage?.completion_tokens ?? 0));
    });

    it('maps a stop sequence hit to finish_reason stop and a max_tokens cut to length', async () => {
      const stopped = await adapter.complete(callTo(server.baseUrl, { messages: [{ role: 'user', content: 'hello world again' }], stop: 'world' }));
      expect(stopped.choices[0]?.message.content).toBe('You said: hello ');
      expect(stopped.choices[0]?.finish_reason).toBe('stop');
      const cut = await adapter.complete(callTo(server.baseUrl, { messages: [{ role: 'user', content: 'a rather long message to cut' }], max_tokens: 2 }));
      expect(cut.choices[0]?.finish_reason).toBe('length');
    });

    it('returns tool_use blocks as tool_calls with JSON-string arguments and finish_reason tool_calls', async () => {
      const res = await adapter.complete(callTo(server.baseUrl, { messages: [{ role: 'user', content: 'please use the tool' }], tools: [WEATHER], tool_choice: 'required' }));
      expect(server.requests[0]?.body).toMatchObject({
        tools: [{ name: 'weather', input_schema: WEATHER.function.parameters }],
        tool_choice: { type: 'any' },
      });
      const message = res.choices[0]?.message;
      expect(message?.tool_calls).toEqual([{ id: expect.stringMatching(/^toolu_/), type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }]);
      expect(res.choices[0]?.finish_reason).toBe('tool_calls');
      expect(res.usage?.completion_tokens).toBe(TOOL_CALL_COMPLETION_TOKENS);
    });

    it('carries a tool round trip: assistant tool_calls and the tool result reach Anthropic as tool_use / tool_result', async () => {
      const res = await adapter.complete(
        callTo(server.baseUrl, {
          tools: [WEATHER],
          messages: [
            { role: 'user', content: 'please use the tool' },
            { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] },
            { role: 'tool', tool_call_id: 'toolu_1', content: '18 degrees' },
          ],
        }),
      );
      expect(res.choices[0]?.message.content).toBe('Tool result: 18 degrees');
      expect(server.requests[0]?.body['messages']).toEqual([
        { role: 'user', content: [{ type: 'text', text: 'please use the tool' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '18 degrees' }] },
      ]);
    });
  });

  describe('streaming', () => {
    it('translates the event sequence: role chunk first, text deltas, finish_reason, then a usage chunk', async () => {
      const chunks = await collect((await adapter.stream(callTo(server.baseUrl))).chunks);
      expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('You said: hello claude');
      expect(chunks.every((c) => c.id.startsWith('msg_fake') && c.model === 'claude-fake' && c.object === 'chat.completion.chunk')).toBe(true);
      expect(chunks.filter((c) => c.choices[0]?.finish_reason).map((c) => c.choices[0]?.finish_reason)).toEqual(['stop']);
      const last = chunks[chunks.length - 1];
      expect(last?.choices).toEqual([]);
      expect(last?.usage?.prompt_tokens).toBeGreaterThan(0);
      expect(last?.usage?.completion_tokens).toBeGreaterThan(0);
      expect(server.requests[0]?.body['stream']).toBe(true);
    });

    it('streams tool_use as tool_call deltas: id and name first, then input_json_delta fragments as arguments', async () => {
      const chunks = await collect(
        (await adapter.stream(callTo(server.baseUrl, { messages: [{ role: 'user', content: 'please use the tool' }], tools: [WEATHER] }))).chunks,
      );
      const toolDeltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
      expect(toolDeltas[0]).toEqual({ index: 0, id: expect.stringMatching(/^toolu_/), type: 'function', function: { name: 'weather', arguments: '' } });
      expect(toolDeltas.length).toBeGreaterThan(2);
      expect(toolDeltas.every((d) => d.index === 0)).toBe(true);
      expect(JSON.parse(toolDeltas.map((d) => d.function?.arguments ?? '').join(''))).toEqual({ city: 'Paris' });
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe("I'll call weather.");
      expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('tool_calls');
      expect(chunks[chunks.length - 1]?.usage?.completion_tokens).toBe(TOOL_CALL_COMPLETION_TOKENS);
    });

    it('parses the event stream written one byte at a time with CRLF line endings', async () => {
      server.writeSplit = 'bytes';
      server.lineEnding = '\r\n';
      const chunks = await collect((await adapter.stream(callTo(server.baseUrl, { messages: [{ role: 'user', content: 'ünïcödé ✓' }] }))).chunks);
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('You said: ünïcödé ✓');
    });

    it('throws from the iterator when Anthropic sends an error event mid-stream', async () => {
      server.errorEventAfterChunks = 4;
      const stream = await adapter.stream(callTo(server.baseUrl));
      const error = await failure(collect(stream.chunks));
      expect(error).toMatchObject({ code: 'upstream_error', options: { retryable: false, upstreamType: 'overloaded_error' } });
      expect(error.message).toMatch(/upstream stream ended early.*Overloaded/);
    });

    it('rejects stream() with a retryable upstream_unavailable when the first event is an overloaded error', async () => {
      server.errorEventAfterChunks = 0;
      const error = await failure(adapter.stream(callTo(server.baseUrl)));
      expect(error).toMatchObject({ code: 'upstream_unavailable', options: { retryable: true, upstreamType: 'overloaded_error' } });
    });

    it('throws “upstream stream ended early” when the connection drops before message_stop', async () => {
      server.dropAfterChunks = 5;
      const stream = await adapter.stream(callTo(server.baseUrl));
      const error = await failure(collect(stream.chunks));
      expect(error).toMatchObject({ code: 'upstream_error', options: { retryable: false } });
      expect(error.message).toMatch(/upstream stream ended early/);
    });
  });

  describe('errors', () => {
    it.each([
      [529, 'upstream_unavailable', true],
      [500, 'upstream_error', true],
      [429, 'rate_limit_exceeded', true],
      [400, 'invalid_request_error', false],
      [404, 'invalid_request_error', false],
      [413, 'invalid_request_error', false],
      [403, 'upstream_error', false],
    ])('maps HTTP %i to %s (retryable: %s)', async (status, code, retryable) => {
      server.failNext(1, status);
      const error = await failure(adapter.complete(callTo(server.baseUrl)));
      expect(error).toMatchObject({ code, options: { status, retryable } });
    });

    it('carries Retry-After of a 429 and the provider’s message of a 400', async () => {
      server.failNext(1, 429, { retryAfter: 7 });
      expect(await failure(adapter.stream(callTo(server.baseUrl)))).toMatchObject({ code: 'rate_limit_exceeded', options: { retryAfterMs: 7_000 } });
      server.failNext(1, 400, { body: { type: 'error', error: { type: 'invalid_request_error', message: 'messages: too many images' } } });
      expect(await failure(adapter.complete(callTo(server.baseUrl)))).toMatchObject({
        code: 'invalid_request_error',
        message: 'messages: too many images',
        options: { upstreamType: 'invalid_request_error' },
      });
    });

    it('reports a rejected key as a non-retryable upstream_error without echoing it', async () => {
      const error = await failure(adapter.complete(callTo(server.baseUrl, {}, { apiKey: 'sk-ant-wrong-99999999' })));
      expect(error).toMatchObject({ code: 'upstream_error', options: { status: 401, retryable: false, upstreamType: 'authentication_error' } });
      expect(error.message).not.toContain('sk-ant-wrong');
    });

    it('fails fast without calling Anthropic when no key is configured', async () => {
      const before = server.requestCount;
      const error = await failure(adapter.complete(callTo(server.baseUrl, {}, { apiKey: undefined })));
      expect(error.message).toContain('EXTERNAL_ANTHROPIC_KEY');
      expect(server.requestCount).toBe(before);
    });
  });
});
