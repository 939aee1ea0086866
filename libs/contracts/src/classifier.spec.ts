import {
  CLASSIFIER_CONTEXT_CHARS,
  CLASSIFIER_HEAD_CHARS,
  CLASSIFIER_TAIL_CHARS,
  isPromptLabel,
  PROMPT_LABELS,
  toClassifierMessages,
} from './classifier';
import type { ChatMessage } from './openai';

describe(toClassifierMessages.name, () => {
  it('keeps the system prompt, the previous turn and the last user message, in order', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You are a SQL expert.' },
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'first answer' },
      { role: 'user', content: 'second question' },
      { role: 'assistant', content: 'second answer' },
      { role: 'tool', content: 'tool output', tool_call_id: 'x' },
      { role: 'user', content: [{ type: 'text', text: 'and for postgres?' }, { type: 'image_url', image_url: { url: 'data:' } }] },
    ];
    expect(toClassifierMessages(messages)).toEqual([
      { role: 'system', content: 'You are a SQL expert.' },
      { role: 'user', content: 'second question' },
      { role: 'assistant', content: 'second answer' },
      { role: 'user', content: 'and for postgres?' },
    ]);
  });

  it('shortens a huge last message to its head and tail and says how long it was', () => {
    const text = 'a'.repeat(CLASSIFIER_HEAD_CHARS) + 'b'.repeat(50_000) + 'c'.repeat(CLASSIFIER_TAIL_CHARS);
    const [only] = toClassifierMessages([{ role: 'user', content: text }]);
    expect(only?.originalLength).toBe(text.length);
    expect(only?.content.startsWith('a'.repeat(CLASSIFIER_HEAD_CHARS))).toBe(true);
    expect(only?.content.endsWith('c'.repeat(CLASSIFIER_TAIL_CHARS))).toBe(true);
    expect(only?.content.length).toBeLessThan(CLASSIFIER_HEAD_CHARS + CLASSIFIER_TAIL_CHARS + 10);
  });

  it('cuts context messages to their head', () => {
    const out = toClassifierMessages([
      { role: 'system', content: 'x'.repeat(10_000) },
      { role: 'user', content: 'hi' },
    ]);
    expect(out[0]?.content).toHaveLength(CLASSIFIER_CONTEXT_CHARS);
  });

  it('returns nothing when there is no user message', () => {
    expect(toClassifierMessages([{ role: 'system', content: 'be nice' }])).toEqual([]);
  });
});

describe(isPromptLabel.name, () => {
  it('accepts exactly the eight labels', () => {
    for (const label of PROMPT_LABELS) expect(isPromptLabel(label)).toBe(true);
    expect(isPromptLabel('other')).toBe(false);
  });
});
