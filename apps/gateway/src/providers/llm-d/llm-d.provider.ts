import { openAICompatibleProvider } from '../openai-compatible/openai-compatible.provider';

/** An llm-d inference gateway; `LLMD_ENDPOINT` is its root, the OpenAI API is under `/v1`. */
export const LLMD = openAICompatibleProvider({
  id: 'llm-d',
  defaultBaseUrl: '',
  baseUrlSetting: { variable: 'LLMD_ENDPOINT', suffix: '/v1' },
  apiKeyVariable: 'EXTERNAL_LLMD_KEY',
});
