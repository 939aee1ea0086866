import { FakeOpenAIServer } from '@iir/testing';
import OpenAI from 'openai';
import { GatewayHarness, target } from './gateway-harness';

const KEEPALIVE_MS = 40;
const COMMENT = ': keep-alive\n\n';

describe('SSE keep-alive while a stream waits for its upstream', () => {
  const h = new GatewayHarness();
  const upstream = new FakeOpenAIServer();
  const quiet = new GatewayHarness();

  beforeAll(async () => {
    await upstream.start();
    await h.start({ SSE_KEEPALIVE_MS: String(KEEPALIVE_MS), UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '1000', UPSTREAM_RETRIES: '0' });
    await quiet.start({ SSE_KEEPALIVE_MS: '0' });
    for (const g of [h, quiet]) g.routes.set('fake/slow', [target('fake/slow', upstream.baseUrl)]);
  });
  beforeEach(() => {
    upstream.reset();
    // Silent for several keep-alive intervals before the first token and between tokens.
    upstream.firstChunkDelayMs = KEEPALIVE_MS * 5;
    upstream.chunkDelayMs = KEEPALIVE_MS * 3;
  });
  afterAll(async () => {
    await h.stop();
    await quiet.stop();
    await upstream.close();
  });

  async function rawStream(baseUrl: string): Promise<string> {
    const res = await fetch(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake/slow', stream: true, messages: [{ role: 'user', content: 'think first' }] }),
    });
    expect(res.status).toBe(200);
    return res.text();
  }

  it('writes `: keep-alive` comments before the first chunk and between chunks', async () => {
    const text = await rawStream(h.baseUrl);

    const events = text.split('\n\n').filter(Boolean);
    const firstData = events.findIndex((e) => e.startsWith('data: '));
    expect(firstData).toBeGreaterThan(0);
    expect(events.slice(0, firstData).every((e) => `${e}\n\n` === COMMENT)).toBe(true);
    const lastData = events.length - 1;
    expect(events[lastData]).toBe('data: [DONE]');
    // Some comment sits between two data events, and every event is either a comment or data.
    expect(events.slice(firstData, lastData).some((e) => `${e}\n\n` === COMMENT)).toBe(true);
    expect(events.every((e) => e === COMMENT.trimEnd() || e.startsWith('data: '))).toBe(true);
  });

  it('leaves the stream to the openai SDK unchanged: the same text, in chunks without comments', async () => {
    const client = new OpenAI({ baseURL: `${h.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'fake/slow', stream: true, messages: [{ role: 'user', content: 'think first' }] });
    let text = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }

    expect(text).toBe('You said: think first');
    expect(finish).toBe('stop');
  });

  it('ends a stream it started while waiting with an error event when the upstream never answers', async () => {
    upstream.hang = true;
    const text = await rawStream(h.baseUrl);

    expect(text.startsWith(COMMENT)).toBe(true);
    const last = text.trimEnd().split('\n\n').at(-1) ?? '';
    expect(JSON.parse(last.replace(/^data: /, ''))).toMatchObject({ error: { code: 'upstream_timeout' } });
    expect(text).not.toContain('[DONE]');
    const client = new OpenAI({ baseURL: `${h.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'fake/slow', stream: true, messages: [{ role: 'user', content: 'hang' }] });
    await expect((async () => {
      for await (const chunk of stream) void chunk;
    })()).rejects.toThrow(/first-byte timeout/);
  });

  it('writes none with SSE_KEEPALIVE_MS=0', async () => {
    expect(await rawStream(quiet.baseUrl)).not.toContain(': keep-alive');
  });
});
