import type { Protocol, Target } from '@iir/contracts';
import { ProviderCatalog } from './provider-catalog';
import { UpstreamError, type ProtocolAdapter } from './provider';

function target(provider: string, protocol: Protocol = 'openai'): Target {
  return { model: `${provider}/m`, provider, kind: 'hosted', protocol, baseUrl: '', upstreamModel: 'm' };
}

describe(ProviderCatalog.name, () => {
  const catalog = new ProviderCatalog({
    EXTERNAL_OPENAI_KEY: 'sk-openai',
    EXTERNAL_ANTHROPIC_KEY: 'sk-ant',
    EXTERNAL_GEMINI_KEY: '',
    EXTERNAL_TOGETHER_KEY: 'tg-key',
    VLLM_BASE_URL: 'http://gpu-1:8000/v1/',
    LLMD_ENDPOINT: 'http://llm-d-gateway.inference',
  });
  afterAll(() => catalog.close());

  it.each([
    ['openai', 'https://api.openai.com/v1'],
    ['openrouter', 'https://openrouter.ai/api/v1'],
    ['deepseek', 'https://api.deepseek.com/v1'],
    ['gemini', 'https://generativelanguage.googleapis.com/v1beta/openai'],
    ['ollama', 'http://127.0.0.1:11434/v1'],
  ])('knows %s at %s', (id, baseUrl) => {
    expect(catalog.descriptor(target(id))).toMatchObject({ id, protocol: 'openai', defaultBaseUrl: baseUrl });
  });

  it('takes vLLM’s and llm-d’s base URLs from the settings', () => {
    expect(catalog.descriptor(target('vllm')).defaultBaseUrl).toBe('http://gpu-1:8000/v1');
    expect(catalog.descriptor(target('llm-d')).defaultBaseUrl).toBe('http://llm-d-gateway.inference/v1');
    expect(new ProviderCatalog({}).descriptor(target('llm-d')).defaultBaseUrl).toBe('');
  });

  it('resolves keys from the settings; an empty value is no key', () => {
    expect(catalog.apiKey(catalog.descriptor(target('openai')))).toBe('sk-openai');
    expect(catalog.apiKey(catalog.descriptor(target('gemini')))).toBeUndefined();
    expect(catalog.apiKey(catalog.descriptor(target('ollama')))).toBeUndefined();
  });

  it('sends Bearer keys to OpenAI-compatible providers and x-api-key plus the version to Anthropic', () => {
    expect(catalog.descriptor(target('openai')).headers('k')).toEqual({ authorization: 'Bearer k' });
    expect(catalog.descriptor(target('vllm')).headers(undefined)).toEqual({});
    expect(catalog.descriptor(target('ollama')).headers('k')).toEqual({});
    expect(catalog.descriptor(target('anthropic', 'anthropic')).headers('k')).toEqual({ 'x-api-key': 'k', 'anthropic-version': '2023-06-01' });
  });

  it('gives an unknown OpenAI-protocol provider a generic descriptor, the same object each time, keyed by EXTERNAL_<ID>_KEY', () => {
    const generic = catalog.descriptor(target('together'));
    expect(generic).toMatchObject({ id: 'together', protocol: 'openai', apiKeyVariable: 'EXTERNAL_TOGETHER_KEY' });
    expect(catalog.descriptor(target('together'))).toBe(generic);
    expect(catalog.apiKey(generic)).toBe('tg-key');
    expect(catalog.descriptor(target('my-box'))).toMatchObject({ apiKeyVariable: 'EXTERNAL_MY_BOX_KEY' });
  });

  it('has adapters for the openai and anthropic protocols', () => {
    expect(catalog.adapter('openai').protocol).toBe('openai');
    expect(catalog.adapter('anthropic').protocol).toBe('anthropic');
  });

  it('throws a retryable UpstreamError for a protocol without an adapter, so the plan moves on', () => {
    expect(() => catalog.adapter('agent')).toThrow(UpstreamError);
    expect(() => catalog.adapter('agent')).toThrow(expect.objectContaining({ code: 'upstream_unavailable', options: { retryable: true } }));
  });

  it('takes extra adapters, such as the Mac-agent one', () => {
    const agent: ProtocolAdapter = { protocol: 'agent', complete: jest.fn(), stream: jest.fn() };
    const withAgent = new ProviderCatalog({}, { adapters: [agent] });
    expect(withAgent.adapter('agent')).toBe(agent);
    expect(withAgent.descriptor(target('mac-1', 'agent'))).toMatchObject({ id: 'mac-1', protocol: 'agent' });
  });
});
