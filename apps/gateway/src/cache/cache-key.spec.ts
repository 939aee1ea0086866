import type { ChatCompletionRequest } from '@iir/contracts';
import { cacheKey, canonicalJson } from './cache-key';

const base: ChatCompletionRequest = {
  model: 'openai/gpt-4o-mini',
  messages: [
    { role: 'system', content: 'Be terse.' },
    { role: 'user', content: 'What is 2+2?' },
  ],
  temperature: 0,
};
const key = (body: ChatCompletionRequest, surface: 'chat' | 'completions' = 'chat', kind: 'json' | 'stream' = 'json'): string =>
  cacheKey('t:', surface, body, kind);

describe(canonicalJson.name, () => {
  it('sorts keys at every depth, keeps array order and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it('escapes strings as JSON does', () => {
    expect(canonicalJson({ 'k"': 'line\nbreak' })).toBe('{"k\\"":"line\\nbreak"}');
  });
});

describe(cacheKey.name, () => {
  it('does not depend on key order or whitespace', () => {
    const reordered = JSON.parse(
      `{ "temperature" : 0,
         "messages": [ {"content":"Be terse.","role":"system"}, { "content": "What is 2+2?", "role": "user" } ],
         "model":"openai/gpt-4o-mini" }`,
    ) as ChatCompletionRequest;
    expect(key(reordered)).toBe(key(base));
  });

  it('names the model and ends with a SHA-256 of the canonical request', () => {
    expect(key(base)).toMatch(/^t:v2:chat:json:openai\/gpt-4o-mini:[0-9a-f]{64}$/);
  });

  it.each<[string, Partial<ChatCompletionRequest>]>([
    ['model', { model: 'openai/gpt-4o' }],
    ['a message', { messages: [{ role: 'user', content: 'What is 2+3?' }] }],
    ['a message role', { messages: [{ role: 'system', content: 'Be terse.' }, { role: 'developer', content: 'What is 2+2?' }] }],
    ['message order', { messages: [{ role: 'user', content: 'What is 2+2?' }, { role: 'system', content: 'Be terse.' }] }],
    ['temperature', { temperature: 0.2 }],
    ['top_p', { top_p: 0.5 }],
    ['max_tokens', { max_tokens: 16 }],
    ['max_completion_tokens', { max_completion_tokens: 16 }],
    ['n', { n: 2 }],
    ['seed', { seed: 7 }],
    ['stop', { stop: ['\n'] }],
    ['tools', { tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }] }],
    ['tool_choice', { tool_choice: 'required' }],
    ['response_format', { response_format: { type: 'json_object' } }],
    ['logprobs', { logprobs: true }],
    ['presence_penalty', { presence_penalty: 1 }],
    ['frequency_penalty', { frequency_penalty: 1 }],
    ['fallback models', { models: ['openai/gpt-4o'] }],
    ['an unknown field (assumed to matter)', { reasoning_effort: 'high' }],
  ])('changes when %s changes', (_what, change) => {
    expect(key({ ...base, ...change })).not.toBe(key(base));
  });

  it.each<[string, Partial<ChatCompletionRequest>]>([
    ['stream', { stream: false }],
    ['user', { user: 'alice' }],
    ['metadata', { metadata: { team: 'search' } }],
    ['store', { store: true }],
    ['a null parameter (the default)', { seed: null, top_p: null }],
    ['stream_options on a JSON request', { stream_options: { include_usage: true } }],
  ])('does not change with %s', (_what, change) => {
    expect(key({ ...base, ...change })).toBe(key(base));
  });

  it('keeps JSON and stream entries apart, and the API surfaces apart', () => {
    const keys = new Set([key(base), key(base, 'chat', 'stream'), key(base, 'completions'), key(base, 'completions', 'stream')]);
    expect(keys.size).toBe(4);
  });

  it('keeps streams with and without the usage chunk apart (the recorded events differ)', () => {
    const withUsage = key({ ...base, stream: true, stream_options: { include_usage: true } }, 'chat', 'stream');
    expect(withUsage).not.toBe(key({ ...base, stream: true }, 'chat', 'stream'));
    expect(key({ ...base, stream: true, stream_options: { include_usage: false } }, 'chat', 'stream')).toBe(key({ ...base, stream: true }, 'chat', 'stream'));
  });

  it('keeps scopes (tenants) apart when one is given', () => {
    expect(cacheKey('t:', 'chat', base, 'json', 'key-a')).not.toBe(cacheKey('t:', 'chat', base, 'json', 'key-b'));
    expect(cacheKey('t:', 'chat', base, 'json', 'key-a')).not.toBe(key(base));
  });

  it('keeps the readable model part printable and short; the hash still tells long names apart', () => {
    const long = 'm'.repeat(200);
    const a = key({ ...base, model: `${long}a` });
    const b = key({ ...base, model: `${long}b` });
    expect(a).not.toBe(b);
    expect(key({ ...base, model: 'my model\u00e9' })).toMatch(/:my_model_:/);
    expect(a.length).toBeLessThan(250);
  });
});
