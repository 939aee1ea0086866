import { openAICompatibleProvider } from '../openai-compatible/openai-compatible.provider';

/** Gemini through Google's OpenAI-compatible endpoint (Bearer with the Gemini API key). */
export const GEMINI = openAICompatibleProvider({
  id: 'gemini',
  defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai',
  apiKeyVariable: 'EXTERNAL_GEMINI_KEY',
  apiKeyRequired: true,
});
