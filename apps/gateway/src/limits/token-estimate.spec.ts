import { DEFAULT_COMPLETION_TOKENS, estimateTokens } from './token-estimate';

describe(estimateTokens.name, () => {
  it('charges about one token per 4 characters, 4 per message, plus the default completion allowance', () => {
    const messages = [
      { role: 'system', content: 'x'.repeat(40) },
      { role: 'user', content: 'y'.repeat(40) },
    ];
    // 'system' + 'user' + 80 content chars = 90 chars -> 23 tokens
    expect(estimateTokens({ messages })).toBe(8 + 23 + DEFAULT_COMPLETION_TOKENS);
  });

  it('uses max_completion_tokens, else max_tokens, times n', () => {
    const messages: unknown[] = [];
    expect(estimateTokens({ messages, max_tokens: 100 })).toBe(100);
    expect(estimateTokens({ messages, max_tokens: 100, max_completion_tokens: 50 })).toBe(50);
    expect(estimateTokens({ messages, max_tokens: null, max_completion_tokens: null })).toBe(DEFAULT_COMPLETION_TOKENS);
    expect(estimateTokens({ messages, max_tokens: 10, n: 3 })).toBe(30);
  });

  it('counts text parts and charges a flat amount per image', () => {
    const content = [
      { type: 'text', text: 'abcd'.repeat(10) },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${'A'.repeat(100_000)}` } },
    ];
    expect(estimateTokens({ messages: [{ role: 'user', content }], max_tokens: 1 })).toBe(4 + Math.ceil((4 + 40) / 4) + 85 + 1);
  });

  it('counts a legacy prompt as text, or as token ids when it is an array of numbers', () => {
    expect(estimateTokens({ prompt: 'abcdefgh', max_tokens: 1 })).toBe(3);
    expect(estimateTokens({ prompt: [1, 2, 3, 4, 5], max_tokens: 1 })).toBe(6);
    expect(estimateTokens({ prompt: ['abcd', 'abcd'], max_tokens: 1 })).toBe(3);
  });

  it('counts tool definitions and tool-call arguments', () => {
    const tools = [{ type: 'function', function: { name: 'f'.repeat(40) } }];
    expect(estimateTokens({ messages: [], tools, max_tokens: 1 })).toBe(10 + 1);
    const call = { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: 'a'.repeat(30) } }] };
    // 'assistant' + 'c' + 'f' + 30 argument chars = 41 chars -> 11 tokens
    expect(estimateTokens({ messages: [call], max_tokens: 1 })).toBe(4 + 11 + 1);
  });
});
