import type { ModelRecord } from '@iir/contracts';

/** A registry row for the router's tests: `<provider>/<id>`, OpenAI-compatible, enabled, with `extra` on top. */
export function model(name: string, extra: Partial<ModelRecord> = {}): ModelRecord {
  const [provider = 'p', id = name] = name.split('/');
  return {
    name,
    provider,
    kind: 'hosted',
    protocol: 'openai',
    baseUrl: `https://${provider}.example/v1`,
    upstreamModel: id,
    contextWindow: 1000,
    pricing: null,
    aliases: [],
    fallbacks: [],
    enabled: true,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...extra,
  };
}
