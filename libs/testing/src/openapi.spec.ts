import { OpenAISpec } from './openapi';

describe(OpenAISpec.name, () => {
  const spec = OpenAISpec.load();

  it('accepts a well-formed chat completion and rejects one missing choices', () => {
    const good = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'hi', refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    };
    expect(spec.errors('CreateChatCompletionResponse', good)).toEqual([]);
    const { choices: _c, ...bad } = good;
    expect(spec.errors('CreateChatCompletionResponse', bad).length).toBeGreaterThan(0);
  });

  it('validates stream chunks and model lists', () => {
    const chunk = {
      id: 'c',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [{ index: 0, delta: { role: 'assistant', content: 'x' }, finish_reason: null }],
    };
    expect(spec.errors('CreateChatCompletionStreamResponse', chunk)).toEqual([]);
    expect(spec.errors('ListModelsResponse', { object: 'list', data: [{ id: 'a', object: 'model', created: 1, owned_by: 'x' }] })).toEqual([]);
    expect(spec.errors('ErrorResponse', { error: { message: 'm', type: 't', code: 'c', param: null } })).toEqual([]);
  });
});
