import { openAICompatibleProvider } from '../openai-compatible/openai-compatible.provider';

/** DeepSeek's OpenAI-compatible API. */
export const DEEPSEEK = openAICompatibleProvider({
  id: 'deepseek',
  defaultBaseUrl: 'https://api.deepseek.com/v1',
  apiKeyVariable: 'EXTERNAL_DEEPSEEK_KEY',
  apiKeyRequired: true,
});
