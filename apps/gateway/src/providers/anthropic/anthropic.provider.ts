import type { ProviderDescriptor } from '../provider';

/** The Messages API version IIR's translation is written against. */
export const ANTHROPIC_VERSION = '2023-06-01';

/** `x-api-key` plus the pinned API version. */
export function anthropicHeaders(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { 'x-api-key': apiKey, 'anthropic-version': ANTHROPIC_VERSION } : { 'anthropic-version': ANTHROPIC_VERSION };
}

/** Anthropic's Messages API. */
export const ANTHROPIC: ProviderDescriptor = {
  id: 'anthropic',
  protocol: 'anthropic',
  defaultBaseUrl: 'https://api.anthropic.com/v1',
  apiKeyVariable: 'EXTERNAL_ANTHROPIC_KEY',
  apiKeyRequired: true,
  headers: anthropicHeaders,
};
