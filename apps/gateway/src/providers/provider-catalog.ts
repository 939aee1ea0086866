import type { Protocol, Target } from '@iir/contracts';
import { PROVIDERS, GENERIC_OPENAI } from './catalog/descriptors';
import { UpstreamClient } from './http/upstream-client';
import { OpenAICompatibleAdapter } from './openai-compatible/openai-compatible.adapter';
import { AnthropicAdapter } from './anthropic/anthropic.adapter';
import { UpstreamError, type ProtocolAdapter, type ProviderDescriptor } from './provider';

/**
 * Looks up a target's provider descriptor, its API key (from the gateway's config, never the
 * plan: secrets do not cross the bus) and the adapter for its protocol.
 */
export class ProviderCatalog {
  private readonly byId = new Map(PROVIDERS.map((p) => [p.id, p]));
  private readonly http = new UpstreamClient();
  private readonly adapters: Record<Exclude<Protocol, 'agent'>, ProtocolAdapter>;

  constructor(private readonly keys: Record<string, string | undefined>) {
    this.adapters = { openai: new OpenAICompatibleAdapter(this.http), anthropic: new AnthropicAdapter(this.http) };
  }

  descriptor(target: Target): ProviderDescriptor {
    return this.byId.get(target.provider) ?? (target.protocol === 'anthropic' ? (this.byId.get('anthropic') as ProviderDescriptor) : GENERIC_OPENAI);
  }

  apiKey(provider: ProviderDescriptor): string | undefined {
    return provider.apiKeyVariable ? this.keys[provider.apiKeyVariable] : undefined;
  }

  adapter(protocol: Protocol): ProtocolAdapter {
    if (protocol === 'agent') {
      throw new UpstreamError('upstream_unavailable', 'Mac agents are not served by this gateway version yet.', {
        retryable: true,
      });
    }
    return this.adapters[protocol];
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
