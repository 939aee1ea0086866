import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatCompletionChunk, ChatCompletionRequest } from '@iir/contracts';
import { JsonLogger } from '@iir/platform';
import { closedPort, TcpRelay, TEST_REDIS_URL, requireService, uniquePrefix, waitFor } from '@iir/testing';
import type { Redis } from 'ioredis';
import OpenAI from 'openai';
import { cacheDecision } from './cache-policy';
import { RedisCacheStore, createCacheRedis } from './redis-cache-store';
import { ResponseCache, type CachedResponse, type CachedStream } from './response-cache';
import { replaySse } from './sse-replay';
import { StreamRecorder } from './stream-recorder';

const quiet = new JsonLogger('test', 'error', () => undefined);
const meta = () => ({ model: 'fake/echo', target: 'fake/echo', provider: 'fake', usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }, storedAt: Date.now() });
const request: ChatCompletionRequest = { model: 'fake/echo', messages: [{ role: 'user', content: 'hello' }], temperature: 0, stream: true };

const chunk = (delta: ChatCompletionChunk['choices'][number]['delta'], finish: 'stop' | null = null): ChatCompletionChunk => ({
  id: 'chatcmpl-cached',
  object: 'chat.completion.chunk',
  created: 1_700_000_000,
  model: 'echo',
  choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
});
const original: ChatCompletionChunk[] = [
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: 'You said: ' }),
  chunk({ content: 'hello — ünïcode ✓' }),
  chunk({}, 'stop'),
  { ...chunk({}), choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
];

/**
 * ioredis leaves its connect-timeout timer running after a refused connection (until it fires):
 * a short one keeps Jest from waiting on it.
 */
const FAST_CONNECT = { connectTimeout: 300 };

/** Counts the client's reconnect attempts. */
function reconnects(redis: Redis): () => number {
  let count = 0;
  redis.on('reconnecting', () => count++);
  return () => count;
}

describe('ResponseCache on real Redis', () => {
  let redis: Redis;
  let cache: ResponseCache;
  let prefix: string;

  beforeAll(async () => {
    await requireService('Redis', TEST_REDIS_URL);
    redis = createCacheRedis(TEST_REDIS_URL, quiet);
    await waitFor(() => redis.status === 'ready', { what: 'Redis ready' });
  });

  beforeEach(() => {
    prefix = `${uniquePrefix('cache')}:`;
    cache = new ResponseCache(new RedisCacheStore(redis), { ttlSeconds: 60, logger: quiet, keyPrefix: prefix });
  });

  afterEach(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
  });

  afterAll(async () => {
    await redis?.quit();
  });

  it('stores a JSON answer and a stream and reads them back, with their metadata', async () => {
    const jsonKey = cache.key('chat', request, 'json');
    const streamKey = cache.key('chat', request, 'stream');
    const json: CachedResponse = { kind: 'json', body: { id: 'chatcmpl-1', object: 'chat.completion', choices: [] }, meta: meta() };
    const stream: CachedResponse = { kind: 'stream', events: original.map((c) => JSON.stringify(c)), meta: meta() };
    await cache.put(jsonKey, json);
    await cache.put(streamKey, stream);
    expect(await cache.get(jsonKey)).toEqual(json);
    expect(await cache.get(streamKey)).toEqual(stream);
    expect(await redis.pttl(jsonKey)).toBeGreaterThan(55_000);
  });

  it('forgets an answer once its TTL has run out', async () => {
    const key = cache.key('completions', request, 'json');
    await cache.put(key, { kind: 'json', body: { text: 'x' }, meta: meta() }, 1);
    expect(await cache.get(key)).toBeDefined();
    const started = Date.now();
    await waitFor(async () => (await cache.get(key)) === undefined, { timeoutMs: 5_000, intervalMs: 100, what: 'the entry to expire' });
    expect(Date.now() - started).toBeGreaterThan(500);
  });

  it('replays a stored stream that the openai SDK parses into exactly the original chunks', async () => {
    const recorder = new StreamRecorder({ maxBytes: 64 * 1024 });
    for (const c of original) recorder.add(`data: ${JSON.stringify(c)}\n\n`);
    recorder.add('data: [DONE]\n\n');
    const key = cache.key('chat', request, 'stream');
    const recorded = recorder.finish(meta());
    expect(recorded).toBeDefined();
    await cache.put(key, recorded as CachedStream);

    const decision = cacheDecision(request, {}, { enabled: true });
    const lookup = await cache.lookup(key, decision);
    expect(lookup.result).toBe('hit');
    const cached = lookup.cached;
    if (cached?.kind !== 'stream') throw new Error('expected a stored stream');

    const server: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => replaySse(res, cached, { 'x-iir-cache': 'hit' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'x', maxRetries: 0 });
      const { data: stream, response } = await client.chat.completions
        .create({ model: 'fake/echo', messages: [{ role: 'user', content: 'hello' }], temperature: 0, stream: true })
        .withResponse();
      const received: unknown[] = [];
      for await (const c of stream) received.push(c);
      expect(received).toEqual(original);
      expect(response.headers.get('x-iir-cache')).toBe('hit');
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe(replaySse.name, () => {
  it('replays a legacy text-completion stream the openai SDK parses into the original chunks', async () => {
    const chunks = ['Hel', 'lo'].map((text, i) => ({
      id: 'cmpl-cached',
      object: 'text_completion',
      created: 1_700_000_000,
      model: 'echo',
      choices: [{ text, index: 0, logprobs: null, finish_reason: i === 1 ? 'stop' : null }],
    }));
    const cached: CachedStream = { kind: 'stream', events: [...chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`), 'data: [DONE]\n\n'], meta: meta() };
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => replaySse(res, cached, {}));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'x', maxRetries: 0 });
      const stream = await client.completions.create({ model: 'fake/echo', prompt: 'hi', temperature: 0, stream: true });
      const received: unknown[] = [];
      for await (const c of stream) received.push(c);
      expect(received).toEqual(chunks);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('ResponseCache when Redis is unreachable', () => {
  it('reads a miss at once and drops writes, without throwing', async () => {
    const lines: string[] = [];
    const logger = new JsonLogger('test', 'info', (line) => lines.push(line));
    const redis = createCacheRedis(`redis://127.0.0.1:${await closedPort()}`, logger, FAST_CONNECT);
    try {
      const cache = new ResponseCache(new RedisCacheStore(redis), { ttlSeconds: 60, logger, keyPrefix: `${uniquePrefix('cache')}:` });
      const attempts = reconnects(redis);
      const key = cache.key('chat', request, 'json');
      const started = Date.now();
      await expect(cache.get(key)).resolves.toBeUndefined();
      await expect(cache.lookup(key, { read: true, write: true, reason: 'test' })).resolves.toEqual({ result: 'bypass' });
      await expect(cache.put(key, { kind: 'json', body: {}, meta: meta() })).resolves.toBeUndefined();
      expect(Date.now() - started).toBeLessThan(500);
      // Reconnect attempts keep failing; the loss is logged once.
      await waitFor(() => attempts() >= 2, { timeoutMs: 5_000, what: 'reconnect attempts' });
      expect(lines.filter((l) => l.includes('unreachable'))).toHaveLength(1);
    } finally {
      redis.disconnect();
    }
  });

  it('logs once when Redis is lost and once when it is back, and serves again after', async () => {
    await requireService('Redis', TEST_REDIS_URL);
    const relay = await TcpRelay.start(TEST_REDIS_URL);
    const lines: string[] = [];
    const logger = new JsonLogger('test', 'info', (line) => lines.push(line));
    const redis = createCacheRedis(`redis://127.0.0.1:${relay.port}`, logger, FAST_CONNECT);
    const cache = new ResponseCache(new RedisCacheStore(redis), { ttlSeconds: 60, logger, keyPrefix: `${uniquePrefix('cache')}:` });
    const key = cache.key('chat', request, 'json');
    const attempts = reconnects(redis);
    try {
      await waitFor(() => redis.status === 'ready', { what: 'Redis ready' });
      await cache.put(key, { kind: 'json', body: { ok: true }, meta: meta() });
      expect(await cache.get(key)).toBeDefined();

      await relay.stop();
      await waitFor(() => redis.status !== 'ready', { what: 'the client to notice' });
      await expect(cache.get(key)).resolves.toBeUndefined();
      await waitFor(() => attempts() >= 2, { timeoutMs: 5_000, what: 'reconnect attempts' });

      await relay.resume();
      await waitFor(async () => (await cache.get(key)) !== undefined, { timeoutMs: 5_000, what: 'the cache to come back' });
      expect(lines.filter((l) => l.includes('unreachable'))).toHaveLength(1);
      expect(lines.filter((l) => l.includes('reachable again'))).toHaveLength(1);
    } finally {
      await redis.del(key).catch(() => undefined);
      redis.disconnect();
      await relay.stop();
    }
  });
});
