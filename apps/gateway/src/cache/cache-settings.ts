import type { CachePolicySettings } from './cache-policy';

export const CACHE_SETTINGS = Symbol('CACHE_SETTINGS');

export interface CacheSettings {
  policy: CachePolicySettings;
  /** A streamed answer larger than this is not recorded. */
  maxStreamBytes: number;
}
