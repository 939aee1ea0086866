import type { ChatCompletionRequest, ChatMessage } from '@iir/contracts';
import { UpstreamError } from '../provider';
import { DEFAULT_MAX_TOKENS, LEADING_USER_TURN, toAnthropicRequest } from './anthropic-request';

function request(messages: ChatMessage[], extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest {
  return { model: 'claude-x', messages, ...extra };
}

describe(toAnthropicRequest.name, () => {
  it('moves system and developer messages, wherever they are, into `system`', () => {
    const out = toAnthropicRequest(
      request([
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
        { role: 'developer', content: [{ type: 'text', text: 'answer in French' }] },
      ]),
      false,
    );
    expect(out.system).toBe('be brief\n\nanswer in French');
    expect(out.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
  });

  it('merges consecutive same-role messages so roles alternate', () => {
    const out = toAnthropicRequest(
      request([
        { role: 'user', content: 'one' },
        { role: 'user', content: 'two' },
        { role: 'assistant', content: 'three' },
        { role: 'assistant', content: 'four' },
        { role: 'user', content: 'five' },
      ]),
      false,
    );
    expect(out.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(out.messages[0]?.content).toEqual([
      { type: 'text', text: 'one' },
      { type: 'text', text: 'two' },
    ]);
  });

  it('puts a user turn first when the conversation starts with the assistant or has only a system prompt', () => {
    const fromAssistant = toAnthropicRequest(request([{ role: 'assistant', content: 'hello' }, { role: 'user', content: 'hi' }]), false);
    expect(fromAssistant.messages[0]).toEqual({ role: 'user', content: [{ type: 'text', text: LEADING_USER_TURN }] });
    expect(fromAssistant.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    const systemOnly = toAnthropicRequest(request([{ role: 'system', content: 'say hi' }]), false);
    expect(systemOnly.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: LEADING_USER_TURN }] }]);
  });

  it('drops empty text, and trims a final assistant prefill Anthropic would reject', () => {
    const out = toAnthropicRequest(request([{ role: 'user', content: '' }, { role: 'user', content: 'q' }, { role: 'assistant', content: 'The answer is ' }]), false);
    expect(out.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'q' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'The answer is' }] },
    ]);
  });

  it('defaults max_tokens, and prefers max_completion_tokens over max_tokens', () => {
    expect(toAnthropicRequest(request([{ role: 'user', content: 'x' }]), false).max_tokens).toBe(DEFAULT_MAX_TOKENS);
    expect(toAnthropicRequest(request([{ role: 'user', content: 'x' }], { max_tokens: 50 }), false).max_tokens).toBe(50);
    expect(toAnthropicRequest(request([{ role: 'user', content: 'x' }], { max_tokens: 50, max_completion_tokens: 70 }), false).max_tokens).toBe(70);
  });

  it('maps stop to stop_sequences (dropping blank ones), clamps temperature to 0–1, keeps top_p and the user id', () => {
    const out = toAnthropicRequest(request([{ role: 'user', content: 'x' }], { stop: ['END', ' ', ''], temperature: 1.6, top_p: 0.9, user: 'u-1' }), true);
    expect(out).toMatchObject({ stop_sequences: ['END'], temperature: 1, top_p: 0.9, metadata: { user_id: 'u-1' }, stream: true });
    expect(toAnthropicRequest(request([{ role: 'user', content: 'x' }], { stop: 'STOP' }), false).stop_sequences).toEqual(['STOP']);
  });

  it('drops OpenAI-only parameters', () => {
    const out = toAnthropicRequest(request([{ role: 'user', content: 'x' }], { n: 1, seed: 3, presence_penalty: 1, response_format: { type: 'json_object' } }), false);
    expect(Object.keys(out).sort()).toEqual(['max_tokens', 'messages', 'model']);
  });

  it('translates function tools to tools with input_schema', () => {
    const out = toAnthropicRequest(
      request([{ role: 'user', content: 'x' }], {
        tools: [
          { type: 'function', function: { name: 'weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
          { type: 'function', function: { name: 'now' } },
        ],
      }),
      false,
    );
    expect(out.tools).toEqual([
      { name: 'weather', description: 'Weather by city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
      { name: 'now', input_schema: { type: 'object', properties: {} } },
    ]);
    expect(out.tool_choice).toBeUndefined();
  });

  it.each([
    ['auto', { type: 'auto' }, false],
    ['none', { type: 'none' }, undefined],
    ['required', { type: 'any' }, undefined],
    [{ type: 'function', function: { name: 'weather' } }, { type: 'tool', name: 'weather' }, undefined],
    ['required', { type: 'any', disable_parallel_tool_use: true }, false],
  ])('maps tool_choice %j to %j', (choice, expected, parallel) => {
    const out = toAnthropicRequest(
      request([{ role: 'user', content: 'x' }], {
        tools: [{ type: 'function', function: { name: 'weather' } }],
        tool_choice: choice,
        ...(parallel === undefined ? {} : { parallel_tool_calls: parallel }),
      }),
      false,
    );
    expect(out.tool_choice).toEqual(choice === 'auto' ? { ...expected, disable_parallel_tool_use: true } : expected);
  });

  it('rejects a tool_choice it cannot map as a non-retryable invalid request', () => {
    expect(() =>
      toAnthropicRequest(request([{ role: 'user', content: 'x' }], { tools: [{ type: 'function', function: { name: 'w' } }], tool_choice: 'sometimes' }), false),
    ).toThrow(expect.objectContaining({ code: 'invalid_request_error', options: expect.objectContaining({ retryable: false, param: 'tool_choice' }) }));
  });

  it('turns assistant tool_calls into tool_use blocks and tool messages into user tool_result blocks', () => {
    const out = toAnthropicRequest(
      request([
        { role: 'user', content: 'weather in Paris?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'time', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18°C' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '14:00' }] },
        { role: 'user', content: 'thanks' },
      ]),
      false,
    );
    expect(out.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'weather in Paris?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'time', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: '18°C' },
          { type: 'tool_result', tool_use_id: 'call_2', content: '14:00' },
          { type: 'text', text: 'thanks' },
        ],
      },
    ]);
  });

  it('puts tool results before other content of the same user turn', () => {
    const out = toAnthropicRequest(
      request([
        { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'user', content: 'first' },
        { role: 'tool', tool_call_id: 'c', content: 'result' },
      ]),
      false,
    );
    expect(out.messages[2]?.content.map((b) => b.type)).toEqual(['tool_result', 'text']);
  });

  it('turns image_url parts into image blocks: data URLs as base64, http URLs as url sources', () => {
    const out = toAnthropicRequest(
      request([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'low' } },
          ],
        },
      ]),
      false,
    );
    expect(out.messages[0]?.content).toEqual([
      { type: 'text', text: 'what is this?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it('rejects content parts Anthropic cannot take, naming the parameter', () => {
    let error: unknown;
    try {
      toAnthropicRequest(request([{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }]), false);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'invalid_request_error', options: { retryable: false, param: 'messages[0].content[0].type' } });
  });
});
