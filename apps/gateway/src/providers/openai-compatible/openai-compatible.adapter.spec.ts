import { createServer } from 'node:net';
import type { ChatCompletionChunk, ChatCompletionRequest, Target } from '@iir/contracts';
import { FakeOpenAIServer } from '@iir/testing';
import { UpstreamHttpClient } from '../http/upstream-client';
import { UpstreamError, type ProviderDescriptor, type UpstreamCall, type UpstreamTimeouts } from '../provider';
import { OpenAICompatibleAdapter } from './openai-compatible.adapter';
import { genericOpenAICompatible, openAICompatibleProvider } from './openai-compatible.provider';

const TIMEOUTS: UpstreamTimeouts = { connectMs: 2_000, firstByteMs: 5_000, totalMs: 20_000 };

function callTo(
  baseUrl: string,
  body: Partial<ChatCompletionRequest> = {},
  extra: { provider?: ProviderDescriptor; apiKey?: string; signal?: AbortSignal; timeouts?: Partial<UpstreamTimeouts> } = {},
): UpstreamCall {
  const target: Target = { model: 'fake/echo', provider: 'fake', kind: 'hosted', protocol: 'openai', baseUrl, upstreamModel: 'echo' };
  return {
    target,
    provider: extra.provider ?? genericOpenAICompatible('fake'),
    body: { model: 'echo', messages: [{ role: 'user', content: 'hello there' }], ...body },
    apiKey: extra.apiKey,
    signal: extra.signal ?? new AbortController().signal,
    timeouts: { ...TIMEOUTS, ...extra.timeouts },
  };
}

async function collect(chunks: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const out: ChatCompletionChunk[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

function text(chunks: ChatCompletionChunk[]): string {
  return chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
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

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe(OpenAICompatibleAdapter.name, () => {
  const server = new FakeOpenAIServer();
  const http = new UpstreamHttpClient();
  const adapter = new OpenAICompatibleAdapter(http);

  beforeAll(async () => {
    await server.start();
  });
  afterEach(() => server.reset());
  afterAll(async () => {
    await http.close();
    await server.close();
  });

  describe('JSON', () => {
    it('returns the upstream completion as it is, with its id, model, created and usage', async () => {
      const res = await adapter.complete(callTo(server.baseUrl, { temperature: 0 }));
      expect(res).toMatchObject({ object: 'chat.completion', model: 'echo', id: expect.stringMatching(/^chatcmpl-fake/) });
      expect(res.created).toEqual(expect.any(Number));
      expect(res.choices[0]?.message.content).toBe('You said: hello there');
      expect(res.choices[0]?.finish_reason).toBe('stop');
      expect(res.usage?.total_tokens).toBe((res.usage?.prompt_tokens ?? 0) + (res.usage?.completion_tokens ?? 0));
    });

    it('posts the body unchanged to {baseUrl}/chat/completions with the provider headers and no stream fields', async () => {
      const provider = openAICompatibleProvider({ id: 'fake', defaultBaseUrl: '' });
      await adapter.complete(callTo(server.baseUrl, { temperature: 0.3, seed: 7, custom_field: 'kept', stream: false }, { provider, apiKey: 'sk-test-key' }));
      const sent = server.requests[0];
      expect(sent?.path).toBe('/v1/chat/completions');
      expect(sent?.headers.authorization).toBe('Bearer sk-test-key');
      expect(sent?.headers['content-type']).toBe('application/json');
      expect(sent?.body).toEqual({ model: 'echo', messages: [{ role: 'user', content: 'hello there' }], temperature: 0.3, seed: 7, custom_field: 'kept' });
    });

    it('reuses one keep-alive connection across sequential calls', async () => {
      const before = server.connectionCount;
      await adapter.complete(callTo(server.baseUrl));
      await collect((await adapter.stream(callTo(server.baseUrl))).chunks);
      await adapter.complete(callTo(server.baseUrl));
      expect(server.connectionCount - before).toBeLessThanOrEqual(1);
    });
  });

  describe('streaming', () => {
    it('yields OpenAI chunks: role first, content in pieces, finish_reason, then a usage chunk', async () => {
      const chunks = await collect((await adapter.stream(callTo(server.baseUrl, { messages: [{ role: 'user', content: 'stream me please' }] }))).chunks);
      expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
      expect(text(chunks)).toBe('You said: stream me please');
      expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(2);
      const withFinish = chunks.filter((c) => c.choices[0]?.finish_reason);
      expect(withFinish.map((c) => c.choices[0]?.finish_reason)).toEqual(['stop']);
      const last = chunks[chunks.length - 1];
      expect(last?.choices).toEqual([]);
      expect(last?.usage?.completion_tokens).toBeGreaterThan(0);
    });

    it('asks the upstream for usage even when the client did not, keeping the client’s other stream options', async () => {
      await collect((await adapter.stream(callTo(server.baseUrl, { stream: true }))).chunks);
      expect(server.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
      expect(server.requests[0]?.headers.accept).toBe('text/event-stream');
    });

    it('leaves stream_options out for a provider that rejects them', async () => {
      const provider = openAICompatibleProvider({ id: 'fake', defaultBaseUrl: '', acceptsStreamOptions: false });
      const chunks = await collect((await adapter.stream(callTo(server.baseUrl, { stream_options: { include_usage: true } }, { provider }))).chunks);
      expect(server.requests[0]?.body['stream_options']).toBeUndefined();
      expect(chunks.some((c) => c.usage)).toBe(false);
    });

    it('ends normally without a usage chunk when the upstream sends none', async () => {
      server.omitUsage = true;
      const chunks = await collect((await adapter.stream(callTo(server.baseUrl))).chunks);
      expect(text(chunks)).toBe('You said: hello there');
      expect(chunks.some((c) => c.usage)).toBe(false);
    });

    it('parses events written one byte at a time, with CRLF, keep-alive comments, multi-line data and multi-byte characters', async () => {
      server.writeSplit = 'bytes';
      server.lineEnding = '\r\n';
      server.keepAliveComments = true;
      server.multiLineData = true;
      const content = 'café ☕ naïve 日本語 ok';
      const chunks = await collect((await adapter.stream(callTo(server.baseUrl, { messages: [{ role: 'user', content }] }))).chunks);
      expect(text(chunks)).toBe(`You said: ${content}`);
      expect(chunks[chunks.length - 1]?.usage).toBeTruthy();
    });

    it('parses events written in odd-sized pieces', async () => {
      server.writeSplit = 'odd';
      const chunks = await collect((await adapter.stream(callTo(server.baseUrl, { messages: [{ role: 'user', content: 'one two three four five six' }] }))).chunks);
      expect(text(chunks)).toBe('You said: one two three four five six');
    });

    it('throws “upstream stream ended early” from the iterator when the connection drops mid-stream', async () => {
      server.dropAfterChunks = 3;
      const stream = await adapter.stream(callTo(server.baseUrl, { messages: [{ role: 'user', content: 'a b c d e f g' }] }));
      const error = await failure(collect(stream.chunks));
      expect(error).toMatchObject({ code: 'upstream_error', options: { retryable: false } });
      expect(error.message).toMatch(/upstream stream ended early/);
    });

    it('rejects stream() itself, retryably, when the connection drops before the first event', async () => {
      server.dropAfterChunks = 0;
      const error = await failure(adapter.stream(callTo(server.baseUrl)));
      expect(error.options.retryable).toBe(true);
      expect(error.message).toMatch(/upstream stream ended early/);
    });

    it('throws an UpstreamError carrying the provider message for an SSE error event mid-stream', async () => {
      server.errorEventAfterChunks = 2;
      const stream = await adapter.stream(callTo(server.baseUrl));
      const error = await failure(collect(stream.chunks));
      expect(error).toMatchObject({ code: 'upstream_error', options: { retryable: false, upstreamType: 'server_error' } });
      expect(error.message).toContain('The server had an error');
    });

    it('rejects stream() retryably when the first event is an error event', async () => {
      server.errorEventAfterChunks = 0;
      const error = await failure(adapter.stream(callTo(server.baseUrl)));
      expect(error).toMatchObject({ code: 'upstream_error', options: { retryable: true } });
    });

    it('cancels the upstream request when the caller’s signal aborts mid-stream; the server sees the socket close', async () => {
      server.chunkDelayMs = 30;
      const abortsBefore = server.clientAborts;
      const controller = new AbortController();
      const stream = await adapter.stream(
        callTo(server.baseUrl, { messages: [{ role: 'user', content: 'a b c d e f g h i j k l m n o p q r s t' }] }, { signal: controller.signal }),
      );
      let received = 0;
      const error = await failure(
        (async () => {
          for await (const _chunk of stream.chunks) if (++received === 2) controller.abort();
        })(),
      );
      expect(error.message).toMatch(/cancelled by the caller/);
      expect(received).toBe(2);
      await server.waitForClientAbort(abortsBefore);
    });

    it('closes the upstream request when the consumer stops iterating early', async () => {
      server.chunkDelayMs = 30;
      const abortsBefore = server.clientAborts;
      const stream = await adapter.stream(callTo(server.baseUrl, { messages: [{ role: 'user', content: 'a b c d e f g h i j k l m n o p q r s t' }] }));
      for await (const _chunk of stream.chunks) break;
      await server.waitForClientAbort(abortsBefore);
    });
  });

  describe('errors', () => {
    it('maps 429 with Retry-After in seconds to a retryable rate_limit_exceeded with retryAfterMs', async () => {
      server.failNext(1, 429, { retryAfter: '3' });
      const error = await failure(adapter.complete(callTo(server.baseUrl)));
      expect(error).toMatchObject({ code: 'rate_limit_exceeded', options: { status: 429, retryable: true, retryAfterMs: 3_000 } });
      expect(error.message).toContain('Rate limit reached');
    });

    it('maps 429 with Retry-After as an HTTP date to a retryAfterMs in the future', async () => {
      server.failNext(1, 429, { retryAfter: new Date(Date.now() + 60_000).toUTCString() });
      const error = await failure(adapter.stream(callTo(server.baseUrl)));
      expect(error.code).toBe('rate_limit_exceeded');
      expect(error.options.retryAfterMs).toBeGreaterThan(30_000);
    });

    it('maps 503 to a retryable upstream_unavailable and 500 to a retryable upstream_error', async () => {
      server.failNext(1, 503);
      server.failNext(1, 500);
      expect(await failure(adapter.complete(callTo(server.baseUrl)))).toMatchObject({ code: 'upstream_unavailable', options: { retryable: true, status: 503 } });
      expect(await failure(adapter.stream(callTo(server.baseUrl)))).toMatchObject({ code: 'upstream_error', options: { retryable: true, status: 500 } });
    });

    it('passes a provider’s 400 on as a non-retryable invalid_request_error with its message, type and param', async () => {
      server.failNext(1, 400, { body: { error: { message: 'max_tokens is too large', type: 'invalid_request_error', param: 'max_tokens', code: null } } });
      const error = await failure(adapter.complete(callTo(server.baseUrl)));
      expect(error).toMatchObject({
        code: 'invalid_request_error',
        message: 'max_tokens is too large',
        options: { status: 400, retryable: false, param: 'max_tokens', upstreamType: 'invalid_request_error' },
      });
    });

    it('reports the upstream refusing the gateway’s key as a non-retryable upstream_error that does not echo the key', async () => {
      const guarded = await new FakeOpenAIServer({ apiKey: 'sk-right-key-000000' }).start();
      try {
        const error = await failure(adapter.complete(callTo(guarded.baseUrl, {}, { apiKey: 'sk-wrong-key-123456789' })));
        expect(error).toMatchObject({ code: 'upstream_error', options: { status: 401, retryable: false } });
        expect(error.message).toMatch(/rejected the gateway's credentials/);
        expect(error.message).not.toContain('sk-wrong-key');
      } finally {
        await guarded.close();
      }
    });

    it('fails fast, retryably, without calling the upstream when a required key is not configured', async () => {
      const provider = openAICompatibleProvider({ id: 'needs-key', defaultBaseUrl: '', apiKeyVariable: 'EXTERNAL_NEEDS_KEY_KEY', apiKeyRequired: true });
      const before = server.requestCount;
      const error = await failure(adapter.complete(callTo(server.baseUrl, {}, { provider })));
      expect(error).toMatchObject({ code: 'upstream_error', options: { retryable: true } });
      expect(error.message).toContain('EXTERNAL_NEEDS_KEY_KEY');
      expect(server.requestCount).toBe(before);
    });

    it('maps a refused connection to a retryable upstream_unavailable', async () => {
      const port = await closedPort();
      const error = await failure(adapter.complete(callTo(`http://127.0.0.1:${port}/v1`)));
      expect(error).toMatchObject({ code: 'upstream_unavailable', options: { retryable: true } });
      expect(error.message).toContain('ECONNREFUSED');
    });

    it('maps an upstream that never answers to a retryable upstream_timeout (first-byte timeout)', async () => {
      server.hang = true;
      const error = await failure(adapter.stream(callTo(server.baseUrl, {}, { timeouts: { firstByteMs: 200 } })));
      expect(error).toMatchObject({ code: 'upstream_timeout', options: { retryable: true } });
    });

    it('maps the total timeout to a retryable upstream_timeout', async () => {
      server.hang = true;
      const error = await failure(adapter.complete(callTo(server.baseUrl, {}, { timeouts: { totalMs: 200 } })));
      expect(error).toMatchObject({ code: 'upstream_timeout', options: { retryable: true } });
      expect(error.message).toContain('200 ms');
    });

    it('rejects at once, without a retry, when the caller’s signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      const error = await failure(adapter.complete(callTo(server.baseUrl, {}, { signal: controller.signal })));
      expect(error.options.retryable).toBe(false);
      expect(error.message).toMatch(/cancelled by the caller/);
    });
  });
});
