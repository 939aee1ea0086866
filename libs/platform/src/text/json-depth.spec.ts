import { jsonDeeperThan } from './json-depth';

describe(jsonDeeperThan.name, () => {
  const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

  it('finds nesting deeper than the limit, in arrays and objects', () => {
    expect(jsonDeeperThan(nested(4), 4)).toBe(false);
    expect(jsonDeeperThan(nested(5), 4)).toBe(true);
    expect(jsonDeeperThan('{"a":{"b":{"c":{"d":{"e":1}}}}}', 4)).toBe(true);
    expect(jsonDeeperThan('{"a":{"b":{"c":{"d":1}}}}', 4)).toBe(false);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(jsonDeeperThan(JSON.stringify({ text: '[[[[[[[[[[', more: '{{{{{{{{' }), 4)).toBe(false);
    expect(jsonDeeperThan(JSON.stringify({ text: 'say \\"[[[[[[" please' }), 2)).toBe(false);
  });

  it('clears many siblings at depth 1 however many brackets they have', () => {
    const wide = JSON.stringify({ messages: Array.from({ length: 500 }, (_, i) => ({ role: 'user', content: [{ type: 'text', text: `${i}` }] })) });
    expect(jsonDeeperThan(wide, 64)).toBe(false);
    expect(jsonDeeperThan(`{"x":${nested(65)}}`, 64)).toBe(true);
  });
});
