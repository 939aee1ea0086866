import { randomBytes } from 'node:crypto';
import { STREAMS, SUBJECTS, type UsageRecord } from '@iir/contracts';
import { createDurableLog, destroyDurableLog, type DurableConsumer, type DurableLog } from '@iir/platform';
import { FakeOpenAIServer, requireService, TEST_REDIS_URL, waitFor } from '@iir/testing';
import OpenAI from 'openai';
import { GatewayHarness, target } from './gateway-harness';

/** The response cache on the request path, over a real Redis: hits cost no plan and no upstream call. */
describe('gateway response cache (real Redis, real NATS, fake upstream)', () => {
  const h = new GatewayHarness();
  const upstream = new FakeOpenAIServer();
  let client: OpenAI;
  let log: DurableLog<UsageRecord[]>;
  let consumer: DurableConsumer;
  const records: UsageRecord[] = [];
  // Every run its own words, so entries of an earlier run in the shared Redis never answer.
  const run = randomBytes(4).toString('hex');
  const ask = (content: string, extra: Record<string, unknown> = {}) =>
    client.chat.completions.create({ model: 'fake/echo', messages: [{ role: 'user', content: `${content} ${run}` }], temperature: 0, ...extra }).withResponse();

  beforeAll(async () => {
    await requireService('Redis', TEST_REDIS_URL);
    await upstream.start();
    await h.start({ REDIS_URL: TEST_REDIS_URL, CACHE_TTL: '60' });
    h.routes.set('fake/echo', [target('fake/echo', upstream.baseUrl)]);
    client = new OpenAI({ baseURL: `${h.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
    log = await createDurableLog<UsageRecord[]>(h.bus, { stream: STREAMS.usage, subject: SUBJECTS.auth.usageRecorded });
    consumer = await log.consume('cache_test', async (batch) => {
      records.push(...batch.flat());
    });
  });

  afterAll(async () => {
    await consumer?.stop();
    await destroyDurableLog(log);
    await h.stop();
    await upstream.close();
  });

  it('answers the second identical request from the cache, without planning or calling the upstream', async () => {
    const first = await ask('cache me');
    expect(first.response.headers.get('x-iir-cache')).toBe('miss');
    const calls = upstream.requestCount;
    const plans = h.plans.length;
    const second = await ask('cache me');
    expect(second.response.headers.get('x-iir-cache')).toBe('hit');
    expect(second.data).toEqual(first.data);
    expect(second.response.headers.get('x-iir-target')).toBe('fake/echo');
    expect(upstream.requestCount).toBe(calls);
    expect(h.plans.length).toBe(plans);
    // A hit is still metered: a usage record with cache_hit and the original usage.
    const hit = await waitFor(() => records.find((r) => r.requestId === second.response.headers.get('x-request-id')));
    expect(hit).toMatchObject({ cacheHit: true, status: 200, target: 'fake/echo', totalTokens: first.data.usage?.total_tokens });
  });

  it('misses when any parameter that changes the answer changes, and ignores key order', async () => {
    await ask('params');
    expect((await ask('params', { max_tokens: 7 })).response.headers.get('x-iir-cache')).toBe('miss');
    expect((await ask('params', { seed: 3 })).response.headers.get('x-iir-cache')).toBe('miss');
    const reordered = await fetch(`${h.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{ "temperature": 0,   "messages": [{"content": "params ${run}", "role": "user"}], "model": "fake/echo" }`,
    });
    expect(reordered.headers.get('x-iir-cache')).toBe('hit');
  });

  it('bypasses requests that are not deterministic by intent, and honours Cache-Control', async () => {
    expect((await ask('sampled', { temperature: 0.7 })).response.headers.get('x-iir-cache')).toBe('bypass');
    await ask('no-store');
    const noStore = await client.chat.completions
      .create({ model: 'fake/echo', messages: [{ role: 'user', content: `no-store ${run}` }], temperature: 0 }, { headers: { 'cache-control': 'no-store' } })
      .withResponse();
    expect(noStore.response.headers.get('x-iir-cache')).toBe('bypass');
    const optIn = await client.chat.completions
      .create({ model: 'fake/echo', messages: [{ role: 'user', content: `opt-in ${run}` }], temperature: 1 }, { headers: { 'x-iir-cache': 'on' } })
      .withResponse();
    expect(optIn.response.headers.get('x-iir-cache')).toBe('miss');
  });

  it('replays a cached stream that the openai SDK parses exactly like the original', async () => {
    const collect = async () => {
      const { data: stream, response } = await client.chat.completions
        .create({ model: 'fake/echo', messages: [{ role: 'user', content: `stream me ${run}` }], temperature: 0, stream: true, stream_options: { include_usage: true } })
        .withResponse();
      const chunks: unknown[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      return { chunks, cache: response.headers.get('x-iir-cache') };
    };
    const original = await collect();
    expect(original.cache).toBe('miss');
    const calls = upstream.requestCount;
    const replay = await waitFor(async () => {
      const r = await collect();
      return r.cache === 'hit' ? r : undefined;
    });
    expect(replay?.chunks).toEqual(original.chunks);
    expect(upstream.requestCount).toBe(calls);
  });

  it('does not store a stream that failed midway', async () => {
    upstream.dropAfterChunks = 1;
    try {
      const failed = await client.chat.completions.create({
        model: 'fake/echo',
        messages: [{ role: 'user', content: `cut ${run}` }],
        temperature: 0,
        stream: true,
      });
      await expect(
        (async () => {
          for await (const _ of failed) void _;
        })(),
      ).rejects.toThrow();
    } finally {
      upstream.dropAfterChunks = undefined;
    }
    const again = await client.chat.completions
      .create({ model: 'fake/echo', messages: [{ role: 'user', content: `cut ${run}` }], temperature: 0, stream: true })
      .withResponse();
    for await (const _ of again.data) void _;
    expect(again.response.headers.get('x-iir-cache')).toBe('miss');
  });
});

describe('gateway response cache with Redis unreachable', () => {
  const h = new GatewayHarness();
  const upstream = new FakeOpenAIServer();

  beforeAll(async () => {
    await upstream.start();
    await h.start({ REDIS_URL: 'redis://127.0.0.1:1', CACHE_TTL: '60' });
    h.routes.set('fake/echo', [target('fake/echo', upstream.baseUrl)]);
  });

  afterAll(async () => {
    await h.stop();
    await upstream.close();
  });

  it('bypasses the cache and keeps serving', async () => {
    const client = new OpenAI({ baseURL: `${h.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
    for (let i = 0; i < 3; i++) {
      const { data, response } = await client.chat.completions
        .create({ model: 'fake/echo', messages: [{ role: 'user', content: 'no redis' }], temperature: 0 })
        .withResponse();
      expect(data.choices[0]?.message.content).toBe('You said: no redis');
      expect(response.headers.get('x-iir-cache')).toBe('bypass');
    }
  });
});
