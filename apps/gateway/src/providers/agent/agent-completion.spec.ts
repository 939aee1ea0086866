import type { ChatCompletionChunk } from '@iir/contracts';
import { CompletionAssembler } from './agent-completion';

const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk' as const, created: 1_700_000_000, model: 'llama' };
const chunk = (choices: ChatCompletionChunk['choices'], extra: Partial<ChatCompletionChunk> = {}): ChatCompletionChunk => ({
  ...base,
  choices,
  ...extra,
});

describe(CompletionAssembler.name, () => {
  it('concatenates content and keeps the last finish reason and the usage', () => {
    const a = new CompletionAssembler();
    a.add(chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]));
    a.add(chunk([{ index: 0, delta: { content: 'Hello' }, finish_reason: null }]));
    a.add(chunk([{ index: 0, delta: { content: ', world' }, finish_reason: null }]));
    a.add(chunk([{ index: 0, delta: {}, finish_reason: 'length' }]));
    a.add(chunk([], { usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }));
    expect(a.finish('fallback')).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'llama',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello, world', refusal: null }, finish_reason: 'length', logprobs: null }],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });
  });

  it('merges streamed tool calls by index, appending their arguments', () => {
    const a = new CompletionAssembler();
    a.add(chunk([{ index: 0, delta: { role: 'assistant', tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, finish_reason: null }]));
    a.add(chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }, finish_reason: null }]));
    a.add(chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }, { index: 1, id: 'call_2', function: { name: 'now' } }] }, finish_reason: null }]));
    a.add(chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]));
    const message = a.finish('m').choices[0]?.message;
    expect(message?.content).toBeNull();
    expect(message?.tool_calls).toEqual([
      { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_2', type: 'function', function: { name: 'now', arguments: '' } },
    ]);
  });

  it('keeps choices apart by index (n > 1) and fills in what the chunks left out', () => {
    const a = new CompletionAssembler();
    a.add({ ...chunk([{ index: 1, delta: { content: 'b' }, finish_reason: null }]), id: '', model: '' } as ChatCompletionChunk);
    a.add(chunk([{ index: 0, delta: { content: 'a' }, finish_reason: null }]));
    const done = a.finish('local/echo');
    expect(done.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, 'a', 'stop'],
      [1, 'b', 'stop'],
    ]);
  });
});
