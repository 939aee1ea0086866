import { openAICompatibleProvider } from '../openai-compatible/openai-compatible.provider';

/** Ollama's OpenAI-compatible `/v1`; it takes no key. */
export const OLLAMA = openAICompatibleProvider({
  id: 'ollama',
  defaultBaseUrl: 'http://127.0.0.1:11434/v1',
  headers: () => ({}),
});
