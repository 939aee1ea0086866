import { MemoryCacheStore } from './memory-cache-store';

describe(MemoryCacheStore.name, () => {
  it('evicts the least recently used entry once it holds maxEntries', async () => {
    const store = new MemoryCacheStore({ maxEntries: 2, maxBytes: 1_000_000 });
    await store.set('a', '1', 60);
    await store.set('b', '2', 60);
    await store.get('a'); // a is now more recent than b
    await store.set('c', '3', 60);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBe('1');
    expect(await store.get('c')).toBe('3');
    expect(store.size).toBe(2);
  });

  it('evicts least recently used entries until the new one fits in maxBytes', async () => {
    const store = new MemoryCacheStore({ maxEntries: 100, maxBytes: 30 });
    await store.set('a', 'x'.repeat(9), 60); // 10 bytes with the key
    await store.set('b', 'x'.repeat(9), 60);
    await store.set('c', 'x'.repeat(9), 60);
    expect(store.bytes).toBe(30);
    await store.set('d', 'x'.repeat(14), 60); // 15 bytes: a and b must go
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('c')).toBeDefined();
    expect(await store.get('d')).toBeDefined();
    expect(store.bytes).toBe(25);
  });

  it('counts bytes in UTF-8, and does not keep an entry larger than maxBytes on its own', async () => {
    const store = new MemoryCacheStore({ maxEntries: 100, maxBytes: 10 });
    await store.set('k', 'ok', 60);
    await store.set('big', 'é'.repeat(4), 60); // 3 + 8 bytes > 10
    expect(await store.get('big')).toBeUndefined();
    expect(await store.get('k')).toBe('ok');
  });

  it('replaces a key in place, keeping the byte count right', async () => {
    const store = new MemoryCacheStore({ maxEntries: 10, maxBytes: 100 });
    await store.set('k', 'aaaa', 60);
    await store.set('k', 'bb', 60);
    expect(await store.get('k')).toBe('bb');
    expect(store.size).toBe(1);
    expect(store.bytes).toBe(3);
  });

  it('forgets an entry once its TTL has run out', async () => {
    let now = 1_000;
    const store = new MemoryCacheStore({ maxEntries: 10, maxBytes: 100 }, () => now);
    await store.set('k', 'v', 2);
    now += 1_999;
    expect(await store.get('k')).toBe('v');
    now += 1;
    expect(await store.get('k')).toBeUndefined();
    expect(store.size).toBe(0);
    expect(store.bytes).toBe(0);
  });
});
