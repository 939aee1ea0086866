import { JsonLogger } from '@iir/platform';
import { register } from 'prom-client';
import type { CacheStore } from './cache-store';
import { MemoryCacheStore } from './memory-cache-store';
import { ResponseCache, cacheHitHeaders, type CachedResponse } from './response-cache';

const logger = new JsonLogger('test', 'error', () => undefined);
const meta = { model: 'm', target: 'fake/echo', provider: 'fake', storedAt: Date.now() };
const json: CachedResponse = { kind: 'json', body: { id: 'x', choices: [] }, meta };
const read = { read: true, write: true, reason: 'test' };

async function counterValue(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = register.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
}

const failing: CacheStore = {
  get: () => Promise.reject(new Error('Stream isn’t writeable')),
  set: () => Promise.reject(new Error('Stream isn’t writeable')),
};

describe(ResponseCache.name, () => {
  it('answers hot entries from memory, re-reading the store only when they age out', async () => {
    const inner = new MemoryCacheStore({ maxEntries: 10, maxBytes: 10_000 });
    let gets = 0;
    const counting: CacheStore = { get: (k) => (gets++, inner.get(k)), set: (k, v, t) => inner.set(k, v, t) };
    const cache = new ResponseCache(counting, { ttlSeconds: 60, logger, hotEntries: 2 });
    await cache.put('a', json);
    expect(await cache.get('a')).toEqual(json);
    expect(gets).toBe(0);
    // Past the hot capacity, the oldest goes back to the store.
    await cache.put('b', json);
    await cache.put('c', json);
    expect(await cache.get('a')).toEqual(json);
    expect(gets).toBe(1);
    // An entry past its TTL is never answered from memory.
    const old: CachedResponse = { ...json, meta: { ...meta, storedAt: Date.now() - 61_000 } };
    await cache.put('d', old);
    expect(await cache.get('d', 1)).toBeUndefined();
  });

  it('stores and returns an answer', async () => {
    const cache = new ResponseCache(new MemoryCacheStore({ maxEntries: 10, maxBytes: 10_000 }), { ttlSeconds: 60, logger });
    await cache.put('k', json);
    expect(await cache.get('k')).toEqual(json);
  });

  it('counts hit, miss and bypass, and says which in the lookup', async () => {
    const cache = new ResponseCache(new MemoryCacheStore({ maxEntries: 10, maxBytes: 10_000 }), { ttlSeconds: 60, logger });
    const results = async (): Promise<Record<string, number>> => ({
      hit: await counterValue('iir_gateway_cache_requests_total', { result: 'hit' }),
      miss: await counterValue('iir_gateway_cache_requests_total', { result: 'miss' }),
      bypass: await counterValue('iir_gateway_cache_requests_total', { result: 'bypass' }),
    });
    const before = await results();
    expect(await cache.lookup('k', read)).toEqual({ result: 'miss' });
    await cache.put('k', json);
    expect(await cache.lookup('k', read)).toEqual({ result: 'hit', cached: json });
    expect(await cache.lookup('k', { read: false, write: true, reason: 'no-cache' })).toEqual({ result: 'bypass' });
    const after = await results();
    expect(after).toEqual({ hit: (before['hit'] ?? 0) + 1, miss: (before['miss'] ?? 0) + 1, bypass: (before['bypass'] ?? 0) + 1 });
  });

  it('shares its counters with other caches in the process instead of registering twice', () => {
    const store = new MemoryCacheStore({ maxEntries: 1, maxBytes: 100 });
    expect(() => [new ResponseCache(store, { ttlSeconds: 1, logger }), new ResponseCache(store, { ttlSeconds: 1, logger })]).not.toThrow();
  });

  it('reads a failing store as a bypass, drops writes and counts errors, without throwing', async () => {
    const cache = new ResponseCache(failing, { ttlSeconds: 60, logger });
    const errors = await counterValue('iir_gateway_cache_errors_total');
    await expect(cache.get('k')).resolves.toBeUndefined();
    await expect(cache.lookup('k', read)).resolves.toEqual({ result: 'bypass' });
    await expect(cache.put('k', json)).resolves.toBeUndefined();
    expect(await counterValue('iir_gateway_cache_errors_total')).toBe(errors + 3);
  });

  it('reads an unreadable entry as a miss', async () => {
    const store = new MemoryCacheStore({ maxEntries: 10, maxBytes: 10_000 });
    const cache = new ResponseCache(store, { ttlSeconds: 60, logger });
    await store.set('garbage', 'not json', 60);
    await store.set('wrong', JSON.stringify({ kind: 'stream', events: [1], meta }), 60);
    expect(await cache.get('garbage')).toBeUndefined();
    expect(await cache.get('wrong')).toBeUndefined();
    expect(await cache.lookup('garbage', read)).toEqual({ result: 'miss' });
  });

  it('does not serve an answer older than max-age', async () => {
    const cache = new ResponseCache(new MemoryCacheStore({ maxEntries: 10, maxBytes: 10_000 }), { ttlSeconds: 600, logger });
    await cache.put('k', { ...json, meta: { ...meta, storedAt: Date.now() - 120_000 } });
    expect(await cache.lookup('k', { ...read, maxAgeSeconds: 60 })).toEqual({ result: 'miss' });
    expect((await cache.lookup('k', { ...read, maxAgeSeconds: 300 })).result).toBe('hit');
  });

  it('stores nothing with a zero TTL or past the entry size limit', async () => {
    const cache = new ResponseCache(new MemoryCacheStore({ maxEntries: 10, maxBytes: 1_000_000 }), { ttlSeconds: 0, logger, maxEntryBytes: 200 });
    await cache.put('k', json);
    expect(await cache.get('k')).toBeUndefined();
    await cache.put('k', json, 60);
    expect(await cache.get('k')).toEqual(json);
    await cache.put('big', { ...json, body: 'x'.repeat(300) }, 60);
    expect(await cache.get('big')).toBeUndefined();
  });

  it('makes a routing receipt for a hit from where the answer first ran', () => {
    expect(cacheHitHeaders({ ...meta, storedAt: 10_000 }, 15_500)).toEqual({
      'x-iir-cache': 'hit',
      'x-iir-model': 'm',
      'x-iir-target': 'fake/echo',
      'x-iir-provider': 'fake',
      'x-iir-attempts': '0',
      age: '5',
    });
  });
});
