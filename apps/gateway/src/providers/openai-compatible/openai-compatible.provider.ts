import type { ProviderDescriptor } from '../provider';

/** `Authorization: Bearer <key>` when there is a key. */
export function bearer(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}

/** A provider that speaks OpenAI's protocol with a Bearer key. */
export function openAICompatibleProvider(
  descriptor: Omit<ProviderDescriptor, 'protocol' | 'headers'> & { headers?: ProviderDescriptor['headers'] },
): ProviderDescriptor {
  return { protocol: 'openai', headers: bearer, ...descriptor };
}

/** The settings variable a provider's key lives in by convention: `EXTERNAL_<ID>_KEY`. */
export function conventionalKeyVariable(providerId: string): string {
  return `EXTERNAL_${providerId.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_KEY`;
}

/**
 * Any other provider id with protocol `openai` (self-hosted servers, test fakes): the registry row
 * gives the base URL; a key is sent if `EXTERNAL_<ID>_KEY` is set.
 */
export function genericOpenAICompatible(providerId: string): ProviderDescriptor {
  return openAICompatibleProvider({ id: providerId, defaultBaseUrl: '', apiKeyVariable: conventionalKeyVariable(providerId) });
}

/** The descriptor registered under the id `openai-compatible` itself. */
export const OPENAI_COMPATIBLE = openAICompatibleProvider({
  id: 'openai-compatible',
  defaultBaseUrl: '',
  apiKeyVariable: 'EXTERNAL_OPENAI_COMPATIBLE_KEY',
});
