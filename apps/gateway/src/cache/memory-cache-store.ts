import type { CacheStore } from './cache-store';

export interface MemoryCacheLimits {
  maxEntries: number;
  /** Sum of key and value sizes (UTF-8 bytes); an entry larger than this on its own is not kept. */
  maxBytes: number;
}

interface Entry {
  value: string;
  bytes: number;
  expiresAt: number;
}

/**
 * The embedded-mode store: least recently used entries go first when either bound is reached.
 * A `Map` keeps insertion order, so re-inserting on every read makes its first key the LRU one.
 */
export class MemoryCacheStore implements CacheStore {
  private readonly entries = new Map<string, Entry>();
  private used = 0;

  constructor(
    private readonly limits: MemoryCacheLimits,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.used;
  }

  async get(key: string): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) {
      this.used -= entry.bytes;
      return undefined;
    }
    this.entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.remove(key);
    const bytes = Buffer.byteLength(key) + Buffer.byteLength(value);
    if (ttlSeconds <= 0 || bytes > this.limits.maxBytes || this.limits.maxEntries <= 0) return;
    while (this.entries.size >= this.limits.maxEntries || this.used + bytes > this.limits.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.remove(oldest.value);
    }
    this.entries.set(key, { value, bytes, expiresAt: this.now() + ttlSeconds * 1000 });
    this.used += bytes;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.used -= entry.bytes;
  }
}
