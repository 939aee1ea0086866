import { ApiError } from '../errors/api-error';
import { parseMessagesRequest } from './messages-request';

describe(parseMessagesRequest.name, () => {
  it('translates system blocks, text, images, tools and tool choice to a chat request', () => {
    const { chat, raw } = parseMessagesRequest({
      model: 'anthropic/claude-fake',
      max_tokens: 100,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }, { type: 'text', text: 'Be kind.' }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
          ],
        },
      ],
      tools: [
        { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
        { type: 'web_search_20250305', name: 'web_search' },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      stop_sequences: ['END'],
      temperature: 0.5,
      top_k: 5,
      metadata: { user_id: 'u-1' },
      stream: true,
    });
    expect(raw['system']).toHaveLength(2);
    expect(chat).toEqual({
      model: 'anthropic/claude-fake',
      max_tokens: 100,
      stream: true,
      stop: ['END'],
      temperature: 0.5,
      user: 'u-1',
      messages: [
        { role: 'system', content: 'Be brief.\n\nBe kind.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBOR' } },
          ],
        },
      ],
      // The server tool means nothing to another upstream: only the custom one is offered.
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      tool_choice: 'required',
      parallel_tool_calls: false,
    });
  });

  it('turns tool_use into tool_calls and tool_result into tool messages right after them', () => {
    const { chat } = parseMessagesRequest({
      model: 'm',
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'weather in Paris? use the tool' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 'sig' },
            { type: 'text', text: 'Let me check.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '18°C' }] },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_2', content: 'no data', is_error: true }] },
      ],
    });
    expect(chat.messages).toEqual([
      { role: 'user', content: 'weather in Paris? use the tool' },
      {
        role: 'assistant',
        content: 'Let me check.',
        tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: '18°C' },
      { role: 'user', content: 'And tomorrow?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'toolu_2', content: 'Error: no data' },
    ]);
  });

  it.each([
    [{ max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, 'model: Field required'],
    [{ model: 'm', messages: [{ role: 'user', content: 'x' }] }, 'max_tokens: Field required'],
    [{ model: 'm', max_tokens: 0, messages: [{ role: 'user', content: 'x' }] }, 'max_tokens: Input should be a positive integer'],
    [{ model: 'm', max_tokens: 5, messages: [] }, 'messages: at least one message is required'],
    [{ model: 'm', max_tokens: 5, messages: [{ role: 'system', content: 'x' }] }, "messages.0.role: Input should be 'user' or 'assistant'"],
    [{ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], temperature: 1.5 }, 'temperature: Input should be between 0 and 1'],
    [{ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [{ text: 'no type' }] }] }, "messages.0.content.0: Input should be a content block with a 'type'"],
    [{ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], tool_choice: { type: 'auto' }, tools: [{ name: 't' }] }, 'tools.0.input_schema: Field required'],
  ])('refuses %j with a 400 naming the field', (body, message) => {
    let caught: unknown;
    try {
      parseMessagesRequest(body);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).status).toBe(400);
    expect((caught as ApiError).message).toBe(message);
  });

  it('refuses what lives in the gateway’s Anthropic account: Files API references and containers', () => {
    const withFile = {
      model: 'm',
      max_tokens: 5,
      messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'file', file_id: 'file_011CNha8iCJcU1wXNR6q4V8w' } }] }],
    };
    expect(() => parseMessagesRequest(withFile)).toThrow(/Files API references/);
    expect(() => parseMessagesRequest({ model: 'm', max_tokens: 5, container: 'container_abc', messages: [{ role: 'user', content: 'x' }] })).toThrow(/containers/);
  });

  it('count_tokens needs no max_tokens and never streams', () => {
    const { chat } = parseMessagesRequest({ model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] }, true);
    expect(chat.stream).toBeUndefined();
    expect(chat.max_tokens).toBeUndefined();
  });
});
