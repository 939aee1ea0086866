import type { PlanResponse } from '@iir/contracts';
import { PlanCache } from './plan-cache';

const plan = (cacheTtlMs?: number): PlanResponse => ({ model: 'a/b', targets: [], policy: 'direct', reason: 'r', ...(cacheTtlMs !== undefined ? { cacheTtlMs } : {}) });

describe(PlanCache.name, () => {
  it('keeps a plan the router marked reusable until its TTL runs out', () => {
    const cache = new PlanCache();
    cache.set('k', plan(1_000), cache.generation, 0);
    expect(cache.get('k', 999)).toBeDefined();
    expect(cache.get('k', 1_000)).toBeUndefined();
  });

  it('never keeps a plan without a TTL (load-dependent policies)', () => {
    const cache = new PlanCache();
    cache.set('k', plan(), cache.generation, 0);
    cache.set('k2', plan(0), cache.generation, 0);
    expect(cache.get('k', 1)).toBeUndefined();
    expect(cache.get('k2', 1)).toBeUndefined();
  });

  it('drops everything on a registry change, and refuses a plan asked for before it', () => {
    const cache = new PlanCache();
    cache.set('k', plan(1_000), cache.generation, 0);
    const askedAt = cache.generation;
    cache.clear();
    expect(cache.get('k', 1)).toBeUndefined();
    cache.set('late', plan(1_000), askedAt, 0);
    expect(cache.get('late', 1)).toBeUndefined();
  });

  it('keys by model and the request’s models list', () => {
    const cache = new PlanCache();
    expect(cache.key({ model: 'a' })).not.toBe(cache.key({ model: 'a', models: ['b'] }));
  });

  it('keys by the x-iir-route pin too: an unpinned plan never serves a local-only request', () => {
    const cache = new PlanCache();
    expect(cache.key({ model: 'a' }, 'local-only')).not.toBe(cache.key({ model: 'a' }));
  });
});
