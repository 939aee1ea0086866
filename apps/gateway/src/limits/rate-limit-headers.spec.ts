import { formatDuration, rateLimitHeaders } from './rate-limit-headers';

describe(formatDuration.name, () => {
  it.each([
    [0, '0s'],
    [-5, '0s'],
    [20, '20ms'],
    [0.2, '1ms'],
    [999, '999ms'],
    [1_000, '1s'],
    [1_500, '1.5s'],
    [1_050, '1.05s'],
    [59_999, '59.999s'],
    [60_000, '1m0s'],
    [360_000, '6m0s'],
    [61_500, '1m1.5s'],
    [3_600_000, '1h0m0s'],
    [3_723_004, '1h2m3.004s'],
  ])('writes %p ms as %p, like OpenAI', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe(rateLimitHeaders.name, () => {
  it('gives the limit, what is left and the reset for each limited dimension', () => {
    expect(rateLimitHeaders({ limit: 60, used: 1, resetMs: 60_000 }, { limit: 1_000, used: 300, resetMs: 20 })).toEqual({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-reset-requests': '1m0s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '700',
      'x-ratelimit-reset-tokens': '20ms',
    });
  });

  it('never reports a negative remainder (usage settled above the limit)', () => {
    expect(rateLimitHeaders(undefined, { limit: 100, used: 150, resetMs: 1_000 })['x-ratelimit-remaining-tokens']).toBe('0');
  });

  it('leaves out an unlimited dimension', () => {
    expect(Object.keys(rateLimitHeaders({ limit: 5, used: 0, resetMs: 0 }, undefined))).toEqual([
      'x-ratelimit-limit-requests',
      'x-ratelimit-remaining-requests',
      'x-ratelimit-reset-requests',
    ]);
  });
});
