import { openAICompatibleProvider } from '../openai-compatible/openai-compatible.provider';

/** OpenAI itself. */
export const OPENAI = openAICompatibleProvider({
  id: 'openai',
  defaultBaseUrl: 'https://api.openai.com/v1',
  apiKeyVariable: 'EXTERNAL_OPENAI_KEY',
  apiKeyRequired: true,
});
