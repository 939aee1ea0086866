import { AnthropicStreamTranslator } from './anthropic-stream';
import type { AnthropicStreamEvent } from './anthropic.wire';

const message = { id: 'msg_1', type: 'message' as const, role: 'assistant' as const, model: 'claude-x', content: [], stop_reason: null, stop_sequence: null };

describe(AnthropicStreamTranslator.name, () => {
  it('numbers tool calls by their order, not by Anthropic’s content-block index', () => {
    const t = new AnthropicStreamTranslator(100);
    const events: AnthropicStreamEvent[] = [
      { type: 'message_start', message: { ...message, usage: { input_tokens: 10, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Two calls.' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_a', name: 'a', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"x":1}' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'ping' },
      { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_b', name: 'b', input: {} } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{}' } },
      { type: 'content_block_stop', index: 2 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 30 } },
      { type: 'message_stop' },
    ];
    const chunks = events.map((e) => t.translate(e)).filter((c) => c !== undefined);
    expect(chunks.map((c) => c.choices[0]?.delta ?? 'usage')).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Two calls.' },
      { tool_calls: [{ index: 0, id: 'toolu_a', type: 'function', function: { name: 'a', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"x":1}' } }] },
      { tool_calls: [{ index: 1, id: 'toolu_b', type: 'function', function: { name: 'b', arguments: '' } }] },
      { tool_calls: [{ index: 1, function: { arguments: '{}' } }] },
      {},
      'usage',
    ]);
    expect(chunks[6]?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(chunks[7]).toEqual({
      id: 'msg_1',
      object: 'chat.completion.chunk',
      created: 100,
      model: 'claude-x',
      choices: [],
      usage: { prompt_tokens: 10, completion_tokens: 30, total_tokens: 40 },
    });
    expect(t.done).toBe(true);
  });

  it('counts cached prompt tokens into prompt_tokens, as OpenAI does', () => {
    const t = new AnthropicStreamTranslator(0);
    t.translate({ type: 'message_start', message: { ...message, usage: { input_tokens: 5, cache_creation_input_tokens: 20, cache_read_input_tokens: 100, output_tokens: 1 } } });
    t.translate({ type: 'message_delta', delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: { output_tokens: 9 } });
    expect(t.translate({ type: 'message_stop' })?.usage).toEqual({
      prompt_tokens: 125,
      completion_tokens: 9,
      total_tokens: 134,
      prompt_tokens_details: { cached_tokens: 100 },
    });
  });

  it('maps stop reasons: end_turn and stop_sequence → stop, max_tokens → length, refusal → content_filter', () => {
    const finish = (reason: string): unknown => {
      const t = new AnthropicStreamTranslator(0);
      t.translate({ type: 'message_start', message: { ...message, usage: {} } });
      return t.translate({ type: 'message_delta', delta: { stop_reason: reason, stop_sequence: null } })?.choices[0]?.finish_reason;
    };
    expect([finish('end_turn'), finish('stop_sequence'), finish('max_tokens'), finish('refusal'), finish('tool_use')]).toEqual([
      'stop',
      'stop',
      'length',
      'content_filter',
      'tool_calls',
    ]);
  });
});
