import { bearer, openAICompatibleProvider } from '../openai-compatible/openai-compatible.provider';

/** OpenRouter; `X-Title` attributes the traffic to IIR in OpenRouter's dashboards. */
export const OPENROUTER = openAICompatibleProvider({
  id: 'openrouter',
  defaultBaseUrl: 'https://openrouter.ai/api/v1',
  apiKeyVariable: 'EXTERNAL_OPENROUTER_KEY',
  apiKeyRequired: true,
  headers: (apiKey) => ({ ...bearer(apiKey), 'x-title': 'IIR' }),
});
