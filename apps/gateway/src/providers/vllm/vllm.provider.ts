import { openAICompatibleProvider } from '../openai-compatible/openai-compatible.provider';

/** A vLLM server (`vllm serve`, port 8000 by default); the key is its optional `--api-key`. */
export const VLLM = openAICompatibleProvider({
  id: 'vllm',
  defaultBaseUrl: 'http://127.0.0.1:8000/v1',
  baseUrlSetting: { variable: 'VLLM_BASE_URL' },
  apiKeyVariable: 'EXTERNAL_VLLM_KEY',
});
