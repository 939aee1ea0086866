/**
 * Where cached answers live: Redis when configured, an in-process LRU otherwise. A store may
 * reject (Redis down); `ResponseCache` turns that into a miss, so callers never see it.
 */
export interface CacheStore {
  /** The stored value, or undefined when absent or expired. */
  get(key: string): Promise<Buffer | string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
}
