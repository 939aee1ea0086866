import { connect } from 'node:net';
import { FakeOpenAIServer, OpenAISpec } from '@iir/testing';
import OpenAI from 'openai';
import { GatewayHarness, target } from './gateway-harness';

describe('gateway errors are OpenAI-shaped, with the right status', () => {
  const spec = OpenAISpec.load();
  const h = new GatewayHarness();
  const upstream = new FakeOpenAIServer();

  beforeAll(async () => {
    await upstream.start();
    await h.start({ MAX_BODY_BYTES: '65536', UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '300', UPSTREAM_IDLE_TIMEOUT_MS: '400', GATEWAY_API_KEYS: 'sk-good-1,sk-good-2' });
    h.routes.set('fake/echo', [target('fake/echo', upstream.baseUrl)]);
    h.routes.set('fake/dead', [target('fake/dead', 'http://127.0.0.1:1/v1')]);
  });
  afterAll(async () => {
    await h.stop();
    await upstream.close();
  });

  const post = (body: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${h.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-good-1', ...headers },
      body,
    });

  async function expectError(res: Response, status: number, code: string): Promise<{ error: { message: string; param: string | null } }> {
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { message: string; code: string; param: string | null } };
    expect(spec.errors('ErrorResponse', body)).toEqual([]);
    expect(body.error.code).toBe(code);
    return body;
  }

  it('415 for a body that is not JSON, on every JSON route (a form post is not parsed)', async () => {
    for (const path of ['/v1/chat/completions', '/api/v1/apikeys', '/v1/registry/models']) {
      for (const type of ['application/x-www-form-urlencoded', 'text/plain', undefined]) {
        const res = await fetch(`${h.baseUrl}${path}`, {
          method: 'POST',
          headers: { authorization: 'Bearer sk-good-1', ...(type ? { 'content-type': type } : {}) },
          body: type === undefined ? new Uint8Array(Buffer.from('role=admin')) : 'role=admin',
        });
        const body = await expectError(res, 415, 'unsupported_media_type');
        expect(body.error.message).toContain('application/json');
      }
    }
    // JSON with a charset, or a +json type, passes on to the route.
    expect((await post('{"model":"fake/echo","messages":[{"role":"user","content":"hi"}]}', { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
  });

  it('400 naming the depth limit for JSON nested too deep (not a 500 from a stack overflow)', async () => {
    const deep = `{"model":"fake/echo","messages":[{"role":"user","content":"hi"}],"metadata":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;
    const body = await expectError(await post(deep), 400, 'invalid_json');
    expect(body.error.message).toContain('64');
    // Brackets inside strings are text, not nesting.
    expect((await post(JSON.stringify({ model: 'fake/echo', messages: [{ role: 'user', content: '['.repeat(200) }] }))).status).toBe(200);
    // The registry admin API parses with the same limit.
    await expectError(await fetch(`${h.baseUrl}/v1/registry/models`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-good-1' }, body: '['.repeat(3_000) + ']'.repeat(3_000) }), 400, 'invalid_json');
  });

  it('cuts a stream that stalls mid-way after the idle timeout, with an error the SDK raises', async () => {
    upstream.chunkDelayMs = 3_000;
    try {
      const client = new OpenAI({ baseURL: `${h.baseUrl}/v1`, apiKey: 'sk-good-1', maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'fake/echo', messages: [{ role: 'user', content: 'one two three four' }], stream: true });
      const received: string[] = [];
      await expect(
        (async () => {
          for await (const chunk of stream) received.push(chunk.choices[0]?.delta?.content ?? '');
        })(),
      ).rejects.toThrow(/idle timeout/);
      expect(received.length).toBeGreaterThan(0);
    } finally {
      upstream.chunkDelayMs = 0;
    }
  });

  it('400 invalid_json for a malformed body', async () => {
    await expectError(await post('{"model": "fake/echo", "messages": ['), 400, 'invalid_json');
  });

  it('400 naming the parameter for a missing messages array or a wrong type', async () => {
    const a = await expectError(await post(JSON.stringify({ model: 'fake/echo' })), 400, 'invalid_request_error');
    expect(a.error.param).toBe('messages');
    const b = await expectError(
      await post(JSON.stringify({ model: 'fake/echo', messages: [{ role: 'user', content: 'x' }], temperature: 'hot' })),
      400,
      'invalid_request_error',
    );
    expect(b.error.param).toBe('temperature');
    const c = await expectError(await post(JSON.stringify({ model: 'fake/echo', messages: [{ role: 'wizard', content: 'x' }] })), 400, 'invalid_request_error');
    expect(c.error.param).toBe('messages[0].role');
  });

  it('413 for a body over the configured limit', async () => {
    const huge = JSON.stringify({ model: 'fake/echo', messages: [{ role: 'user', content: 'x'.repeat(100_000) }] });
    await expectError(await post(huge), 413, 'body_too_large');
  });

  it('401 without a key or with a wrong key; the openai SDK raises AuthenticationError', async () => {
    await expectError(await post(JSON.stringify({ model: 'fake/echo', messages: [] }), { authorization: '' }), 401, 'invalid_api_key');
    const bad = new OpenAI({ baseURL: `${h.baseUrl}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
    await expect(bad.chat.completions.create({ model: 'fake/echo', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    const good = new OpenAI({ baseURL: `${h.baseUrl}/v1`, apiKey: 'sk-good-2', maxRetries: 0 });
    await expect(good.chat.completions.create({ model: 'fake/echo', messages: [{ role: 'user', content: 'x' }] })).resolves.toBeTruthy();
  });

  it('404 model_not_found listing the closest names', async () => {
    const body = await expectError(
      await post(JSON.stringify({ model: 'fake/ecko', messages: [{ role: 'user', content: 'x' }] })),
      404,
      'model_not_found',
    );
    expect(body.error.message).toContain('fake/echo');
    expect(body.error.param).toBe('model');
  });

  it('503 naming the upstream when it cannot be reached; 504 when it does not answer in time', async () => {
    const dead = await expectError(await post(JSON.stringify({ model: 'fake/dead', messages: [{ role: 'user', content: 'x' }] })), 503, 'upstream_unavailable');
    expect(dead.error.message).toContain('127.0.0.1:1');
    upstream.hang = true;
    try {
      await expectError(await post(JSON.stringify({ model: 'fake/echo', messages: [{ role: 'user', content: 'x' }] })), 504, 'upstream_timeout');
    } finally {
      upstream.hang = false;
    }
  });

  it('passes a provider’s 400 back as a 400 with its message', async () => {
    upstream.failNext(1, 400, { body: { error: { message: 'max_tokens is too large', type: 'invalid_request_error', param: 'max_tokens', code: null } } });
    const body = await expectError(await post(JSON.stringify({ model: 'fake/echo', messages: [{ role: 'user', content: 'x' }] })), 400, 'invalid_request_error');
    expect(body.error.message).toBe('max_tokens is too large');
    expect(body.error.param).toBe('max_tokens');
  });

  it('404 in OpenAI’s shape for an unknown route', async () => {
    await expectError(await fetch(`${h.baseUrl}/v1/nope`), 404, 'not_found');
  });

  it('serves the legacy completions API and /infer on the same path', async () => {
    const res = await fetch(`${h.baseUrl}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-good-1' },
      body: JSON.stringify({ model: 'fake/echo', prompt: 'complete me', max_tokens: 5 }),
    });
    expect(res.status).toBe(200);
    const completion = (await res.json()) as Record<string, unknown>;
    expect(spec.errors('CreateCompletionResponse', completion)).toEqual([]);
    expect(completion).toMatchObject({ object: 'text_completion', choices: [{ text: 'You said: complete me' }] });
    const infer = await fetch(`${h.baseUrl}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-good-1' },
      body: JSON.stringify({ model: 'fake/echo', input: { prompt: 'infer me' } }),
    });
    expect(await infer.json()).toMatchObject({ output: 'You said: infer me', usage: { total_tokens: expect.any(Number) } });
  });

  /** Sends raw bytes and reads the whole answer (the server closes the connection after it). */
  function raw(request: string): Promise<{ status: number; headers: string; body: string }> {
    return new Promise((resolve, reject) => {
      const socket = connect(Number(new URL(h.baseUrl).port), '127.0.0.1');
      let data = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (data += chunk));
      socket.on('error', reject);
      socket.on('close', () => {
        const [head = '', body = ''] = data.split('\r\n\r\n');
        resolve({ status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body });
      });
      socket.end(request);
    });
  }

  async function expectRawError(answer: { status: number; headers: string; body: string }, status: number): Promise<void> {
    expect(answer.status).toBe(status);
    expect(answer.headers).toMatch(/content-type: application\/json/);
    const body = JSON.parse(answer.body) as { error: { message: string; type: string; param: null; code: string } };
    expect(spec.errors('ErrorResponse', body)).toEqual([]);
    expect(body).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: expect.any(String) } });
  }

  it('431 in the OpenAI shape for headers larger than the server takes', async () => {
    const answer = await raw(`GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    await expectRawError(answer, 431);
  });

  it('431 in the OpenAI shape for a request line too long for the header limit', async () => {
    await expectRawError(await raw(`GET /v1/models?q=${'a'.repeat(64 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`), 431);
  });

  it('400 in the OpenAI shape for a malformed header line', async () => {
    await expectRawError(await raw('GET /v1/models HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n'), 400);
  });

  it('414 in the OpenAI shape for a path parameter longer than the router takes', async () => {
    const answer = await raw(`DELETE /api/v1/apikeys/${'k'.repeat(500)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-good-1\r\nConnection: close\r\n\r\n`);
    await expectRawError(answer, 414);
  });
});
