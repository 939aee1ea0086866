import type { ProviderDescriptor } from '../provider';

const bearer = (key: string | undefined): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});

/** The providers IIR knows, as data. The registry's base URL wins over `defaultBaseUrl`. */
export const PROVIDERS: readonly ProviderDescriptor[] = [
  { id: 'openai', protocol: 'openai', defaultBaseUrl: 'https://api.openai.com/v1', apiKeyVariable: 'EXTERNAL_OPENAI_KEY', headers: bearer },
  {
    id: 'openrouter',
    protocol: 'openai',
    defaultBaseUrl: 'https://openrouter.ai/api/v1',
    apiKeyVariable: 'EXTERNAL_OPENROUTER_KEY',
    headers: (key) => ({ ...bearer(key), 'x-title': 'IIR' }),
  },
  { id: 'deepseek', protocol: 'openai', defaultBaseUrl: 'https://api.deepseek.com/v1', apiKeyVariable: 'EXTERNAL_DEEPSEEK_KEY', headers: bearer },
  {
    id: 'gemini',
    protocol: 'openai',
    defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai',
    apiKeyVariable: 'EXTERNAL_GEMINI_KEY',
    headers: bearer,
  },
  { id: 'vllm', protocol: 'openai', defaultBaseUrl: 'http://127.0.0.1:8000/v1', apiKeyVariable: 'EXTERNAL_VLLM_KEY', headers: bearer },
  { id: 'llm-d', protocol: 'openai', defaultBaseUrl: 'http://127.0.0.1:8000/v1', apiKeyVariable: 'EXTERNAL_LLMD_KEY', headers: bearer },
  { id: 'ollama', protocol: 'openai', defaultBaseUrl: 'http://127.0.0.1:11434/v1', headers: () => ({}) },
  {
    id: 'anthropic',
    protocol: 'anthropic',
    defaultBaseUrl: 'https://api.anthropic.com/v1',
    apiKeyVariable: 'EXTERNAL_ANTHROPIC_KEY',
    headers: (key) => ({ ...(key ? { 'x-api-key': key } : {}), 'anthropic-version': '2023-06-01' }),
  },
];

/** Any other provider id that speaks OpenAI's protocol (self-hosted servers, test fakes). */
export const GENERIC_OPENAI: ProviderDescriptor = {
  id: 'openai-compatible',
  protocol: 'openai',
  defaultBaseUrl: '',
  headers: () => ({}),
};
