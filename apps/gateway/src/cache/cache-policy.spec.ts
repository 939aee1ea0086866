import type { IncomingHttpHeaders } from 'node:http';
import type { ChatCompletionRequest } from '@iir/contracts';
import { cacheDecision, cacheResult, parseCacheControl, type CachePolicySettings } from './cache-policy';

const body = (params: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
  model: 'm',
  messages: [{ role: 'user', content: 'hi' }],
  ...params,
});
const on: CachePolicySettings = { enabled: true };

describe(cacheDecision.name, () => {
  it.each<[string, Partial<ChatCompletionRequest>, IncomingHttpHeaders, { read: boolean; write: boolean }]>([
    ['temperature 0: read and store', { temperature: 0 }, {}, { read: true, write: true }],
    ['temperature 0, n 1: read and store', { temperature: 0, n: 1 }, {}, { read: true, write: true }],
    ['temperature 0, n null: read and store', { temperature: 0, n: null }, {}, { read: true, write: true }],
    ['temperature 0, n 3: bypass (several samples)', { temperature: 0, n: 3 }, {}, { read: false, write: false }],
    ['no temperature (default 1): bypass', {}, {}, { read: false, write: false }],
    ['temperature 0.7: bypass', { temperature: 0.7 }, {}, { read: false, write: false }],
    ['temperature null: bypass', { temperature: null }, {}, { read: false, write: false }],
    ['x-iir-cache: on opts in at any temperature', { temperature: 1 }, { 'x-iir-cache': 'on' }, { read: true, write: true }],
    ['x-iir-cache: ON is case-insensitive', { temperature: 1, n: 2 }, { 'x-iir-cache': 'ON' }, { read: true, write: true }],
    ['max-age opts in', { temperature: 1 }, { 'cache-control': 'max-age=60' }, { read: true, write: true }],
    ['no-cache: store but do not read', { temperature: 0 }, { 'cache-control': 'no-cache' }, { read: false, write: true }],
    ['max-age=0 is no-cache', { temperature: 1 }, { 'cache-control': 'max-age=0' }, { read: false, write: true }],
    ['no-cache on a sampled request: still bypass', { temperature: 1 }, { 'cache-control': 'no-cache' }, { read: false, write: false }],
    ['no-store: neither', { temperature: 0 }, { 'cache-control': 'no-store' }, { read: false, write: false }],
    ['no-store wins over an opt-in', { temperature: 0 }, { 'cache-control': 'max-age=60, No-Store', 'x-iir-cache': 'on' }, { read: false, write: false }],
    ['x-iir-cache: off is no-store', { temperature: 0 }, { 'x-iir-cache': 'off' }, { read: false, write: false }],
    ['several Cache-Control headers are read together', { temperature: 0 }, { 'cache-control': ['max-age=5', 'no-store'] as unknown as string }, { read: false, write: false }],
    ['tools do not prevent caching', { temperature: 0, tools: [{ type: 'function', function: { name: 'f' } }] }, {}, { read: true, write: true }],
  ])('%s', (_name, params, headers, expected) => {
    const decision = cacheDecision(body(params), headers, on);
    expect({ read: decision.read, write: decision.write }).toEqual(expected);
    expect(decision.reason).toBeTruthy();
  });

  it('caches nothing when the cache is off, whatever the request asks', () => {
    expect(cacheDecision(body({ temperature: 0 }), { 'x-iir-cache': 'on' }, { enabled: false })).toMatchObject({ read: false, write: false });
  });

  it('in opt-in mode caches only requests that ask', () => {
    const settings: CachePolicySettings = { enabled: true, mode: 'opt-in' };
    expect(cacheDecision(body({ temperature: 0 }), {}, settings)).toMatchObject({ read: false, write: false });
    expect(cacheDecision(body({ temperature: 0 }), { 'x-iir-cache': 'on' }, settings)).toMatchObject({ read: true, write: true });
  });

  it('passes max-age on, so an older answer is not served', () => {
    expect(cacheDecision(body(), { 'cache-control': 'max-age="30"' }, on)).toMatchObject({ read: true, maxAgeSeconds: 30 });
    expect(cacheDecision(body({ temperature: 0 }), {}, on).maxAgeSeconds).toBeUndefined();
  });
});

describe(parseCacheControl.name, () => {
  it('ignores unknown directives and malformed max-age', () => {
    expect(parseCacheControl('private, max-age=abc, foo=bar')).toEqual({ noStore: false, noCache: false });
    expect(parseCacheControl(' NO-CACHE , max-age = 10 ')).toEqual({ noStore: false, noCache: true, maxAge: 10 });
  });
});

describe(cacheResult.name, () => {
  it('is hit when served, miss when looked up and absent, bypass when not looked up', () => {
    expect(cacheResult({ read: true, write: true, reason: '' }, true)).toBe('hit');
    expect(cacheResult({ read: true, write: true, reason: '' }, false)).toBe('miss');
    expect(cacheResult({ read: false, write: true, reason: '' }, false)).toBe('bypass');
  });
});
