import type { ChatCompletionChunk, ChatCompletionResponse } from '@iir/contracts';
import { ApiError } from '../errors/api-error';
import { MessagesStreamEncoder } from './messages-stream';
import { toAnthropicMessage } from './messages-response';

type Delta = ChatCompletionChunk['choices'][number]['delta'];

function chunk(delta: Delta, finish: ChatCompletionChunk['choices'][number]['finish_reason'] = null): ChatCompletionChunk {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'up', choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] };
}

const usageChunk: ChatCompletionChunk = {
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'up',
  choices: [],
  usage: { prompt_tokens: 30, completion_tokens: 9, total_tokens: 39, prompt_tokens_details: { cached_tokens: 10 } },
};

/** The events as [type, data] pairs, checking the SSE framing on the way. */
function events(text: string): Array<[string, Record<string, unknown>]> {
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => {
      const match = /^event: (\S+)\ndata: (.*)$/s.exec(frame);
      if (!match) throw new Error(`bad frame ${frame}`);
      const data = JSON.parse(match[2] as string) as Record<string, unknown>;
      expect(data['type']).toBe(match[1]);
      return [match[1] as string, data];
    });
}

function run(chunks: ChatCompletionChunk[]): Array<[string, Record<string, unknown>]> {
  const encoder = new MessagesStreamEncoder({ model: 'requested', messages: [] });
  return events(chunks.map((c) => encoder.chunk(c)).join('') + encoder.end());
}

/** What the Anthropic SDK would assemble: each block's text or parsed input. */
function assemble(list: Array<[string, Record<string, unknown>]>): unknown[] {
  const blocks: Array<Record<string, unknown>> = [];
  const json: string[] = [];
  for (const [type, data] of list) {
    if (type === 'content_block_start') {
      expect(data['index']).toBe(blocks.length);
      blocks.push({ ...(data['content_block'] as Record<string, unknown>) });
      json.push('');
    }
    if (type === 'content_block_delta') {
      const i = data['index'] as number;
      const delta = data['delta'] as Record<string, string>;
      const block = blocks[i] as Record<string, unknown>;
      if (delta['type'] === 'text_delta') block['text'] = `${String(block['text'])}${delta['text']}`;
      if (delta['type'] === 'input_json_delta') json[i] = `${json[i] ?? ''}${delta['partial_json'] ?? ''}`;
    }
  }
  return blocks.map((b, i) => (b['type'] === 'tool_use' ? { ...b, input: JSON.parse(json[i] || '{}') } : b));
}

describe(MessagesStreamEncoder.name, () => {
  it('frames text as message_start, one text block, message_delta with usage and message_stop', () => {
    const list = run([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' }), chunk({ content: 'lo' }), chunk({}, 'stop'), usageChunk]);
    expect(list.map(([t]) => t)).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(list[0]?.[1]['message']).toMatchObject({ id: 'msg_1', model: 'up', role: 'assistant', content: [] });
    expect(list[5]?.[1]).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 20, output_tokens: 9, cache_read_input_tokens: 10 },
    });
    expect(assemble(list)).toEqual([{ type: 'text', text: 'Hello' }]);
  });

  it('streams a tool call as input_json_delta fragments that assemble to its arguments', () => {
    const list = run([
      chunk({ content: 'Checking.' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Paris"}' } }] }),
      chunk({}, 'tool_calls'),
      usageChunk,
    ]);
    expect(list.filter(([t, d]) => t === 'content_block_delta' && (d['delta'] as { type: string }).type === 'input_json_delta')).toHaveLength(2);
    expect(assemble(list)).toEqual([
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    expect(list.find(([t]) => t === 'message_delta')?.[1]['delta']).toEqual({ stop_reason: 'tool_use', stop_sequence: null });
  });

  it('keeps interleaved parallel tool calls intact, each in its own block', () => {
    const list = run([
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'a', arguments: '{"x":' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'b', arguments: '{"y":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }, { index: 1, function: { arguments: '2}' } }] }),
      chunk({ content: 'done' }),
      chunk({}, 'tool_calls'),
      usageChunk,
    ]);
    expect(assemble(list)).toEqual([
      { type: 'tool_use', id: 'call_a', name: 'a', input: { x: 1 } },
      { type: 'text', text: 'done' },
      { type: 'tool_use', id: 'call_b', name: 'b', input: { y: 2 } },
    ]);
    const starts = list.filter(([t]) => t === 'content_block_start').length;
    expect(list.filter(([t]) => t === 'content_block_stop')).toHaveLength(starts);
  });

  it('tells calls apart by id when an upstream reuses an index, and holds a call whose name comes late', () => {
    const list = run([
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'a', arguments: '{"x":1}' } }] }),
      chunk({ tool_calls: [{ index: 0, id: 'call_b', type: 'function', function: { name: 'b', arguments: '{"y":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '2}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_c', type: 'function', function: { arguments: '{"z":' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { name: 'c', arguments: '3}' } }] }),
      chunk({}, 'tool_calls'),
      usageChunk,
    ]);
    expect(assemble(list)).toEqual([
      { type: 'tool_use', id: 'call_a', name: 'a', input: { x: 1 } },
      { type: 'tool_use', id: 'call_b', name: 'b', input: { y: 2 } },
      { type: 'tool_use', id: 'call_c', name: 'c', input: { z: 3 } },
    ]);
  });

  it('survives chunks a compatible server sends without choices, delta or index', () => {
    const odd = [
      { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'up' } as unknown as ChatCompletionChunk,
      { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'up', choices: [{ finish_reason: null }] } as unknown as ChatCompletionChunk,
      { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'up', choices: [{ delta: { content: 'ok' }, finish_reason: 'stop' }] } as unknown as ChatCompletionChunk,
    ];
    expect(assemble(run(odd))).toEqual([{ type: 'text', text: 'ok' }]);
  });

  it('maps length to max_tokens, and a failure to an Anthropic error event', () => {
    const list = run([chunk({ content: 'a' }, 'length'), usageChunk]);
    expect(list.find(([t]) => t === 'message_delta')?.[1]['delta']).toEqual({ stop_reason: 'max_tokens', stop_sequence: null });
    const encoder = new MessagesStreamEncoder({ model: 'm', messages: [] });
    expect(events(encoder.fail(new ApiError('upstream_unavailable', 'down')))).toEqual([['error', { type: 'error', error: { type: 'overloaded_error', message: 'down' } }]]);
  });

  it('gives a whole message even when the upstream sent no chunk at all', () => {
    expect(run([]).map(([t]) => t)).toEqual(['message_start', 'message_delta', 'message_stop']);
  });
});

describe(toAnthropicMessage.name, () => {
  it('reads a compatible server’s sparse answer without crashing', () => {
    const sparse = { object: 'chat.completion', created: 1, choices: [{ index: 0, finish_reason: 'tool_calls', message: { tool_calls: [{ function: { name: 'f', arguments: { a: 1 } } }] } }] } as unknown as ChatCompletionResponse;
    const message = toAnthropicMessage(sparse, 'requested');
    expect(message).toMatchObject({ type: 'message', model: 'requested', stop_reason: 'tool_use', content: [{ type: 'tool_use', name: 'f', input: { a: 1 } }] });
    expect(String(message['id'])).toMatch(/^msg_/);
    expect(toAnthropicMessage({ choices: [] } as unknown as ChatCompletionResponse, 'm')['content']).toEqual([{ type: 'text', text: '' }]);
  });

  it('turns a chat completion with a tool call into text and tool_use blocks', () => {
    const message = toAnthropicMessage(
      {
        id: 'chatcmpl-9',
        object: 'chat.completion',
        created: 1,
        model: 'up',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'Sure.', tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
            finish_reason: 'tool_calls',
            logprobs: null,
          },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
      },
      'requested',
    );
    expect(message).toEqual({
      id: 'msg_9',
      type: 'message',
      role: 'assistant',
      model: 'up',
      content: [
        { type: 'text', text: 'Sure.' },
        { type: 'tool_use', id: 'call_9', name: 'f', input: { a: 1 } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 5, output_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });
});
