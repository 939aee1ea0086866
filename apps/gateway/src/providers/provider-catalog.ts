import type { Protocol, Target } from '@iir/contracts';
import type { OnApplicationShutdown } from '@nestjs/common';
import { ANTHROPIC, anthropicHeaders } from './anthropic/anthropic.provider';
import { AnthropicAdapter } from './anthropic/anthropic.adapter';
import { DEEPSEEK } from './deepseek/deepseek.provider';
import { GEMINI } from './gemini/gemini.provider';
import { UpstreamHttpClient } from './http/upstream-client';
import { LLMD } from './llm-d/llm-d.provider';
import { OLLAMA } from './ollama/ollama.provider';
import { OpenAICompatibleAdapter } from './openai-compatible/openai-compatible.adapter';
import { conventionalKeyVariable, genericOpenAICompatible, OPENAI_COMPATIBLE } from './openai-compatible/openai-compatible.provider';
import { OPENAI } from './openai/openai.provider';
import { OPENROUTER } from './openrouter/openrouter.provider';
import { UpstreamError, type ProtocolAdapter, type ProviderDescriptor } from './provider';
import { VLLM } from './vllm/vllm.provider';

/** Every provider IIR knows by name. Adding one: a folder with its descriptor, and a line here. */
export const KNOWN_PROVIDERS: readonly ProviderDescriptor[] = [
  OPENAI,
  OPENROUTER,
  DEEPSEEK,
  GEMINI,
  VLLM,
  LLMD,
  OLLAMA,
  ANTHROPIC,
  OPENAI_COMPATIBLE,
];

export interface ProviderCatalogOptions {
  /** The HTTP client the built-in adapters share (one keep-alive pool per origin). */
  http?: UpstreamHttpClient;
  /** More adapters, or replacements for the built-in ones (e.g. the Mac-agent adapter over NATS). */
  adapters?: readonly ProtocolAdapter[];
}

/**
 * Looks up a target's provider descriptor, its API key, and the adapter for its protocol.
 * Keys and base-URL overrides come from the settings the gateway's config layer hands in
 * (`EXTERNAL_*_KEY`, `VLLM_BASE_URL`, `LLMD_ENDPOINT`); this never reads the environment, and
 * keys never travel in plans.
 */
export class ProviderCatalog implements OnApplicationShutdown {
  private readonly byId = new Map<string, ProviderDescriptor>();
  private readonly adapters = new Map<Protocol, ProtocolAdapter>();
  private readonly http: UpstreamHttpClient;

  constructor(
    private readonly settings: Readonly<Record<string, string | undefined>>,
    options: ProviderCatalogOptions = {},
  ) {
    for (const provider of KNOWN_PROVIDERS) this.byId.set(provider.id, this.withSettings(provider));
    this.http = options.http ?? new UpstreamHttpClient();
    this.adapters.set('openai', new OpenAICompatibleAdapter(this.http));
    this.adapters.set('anthropic', new AnthropicAdapter(this.http));
    for (const adapter of options.adapters ?? []) this.adapters.set(adapter.protocol, adapter);
  }

  /**
   * The target's provider. An unknown provider id gets a generic descriptor for its protocol (key,
   * if any, in `EXTERNAL_<ID>_KEY`); one descriptor object per id, so per-provider caches hold.
   */
  descriptor(target: Pick<Target, 'provider' | 'protocol'>): ProviderDescriptor {
    const known = this.byId.get(target.provider);
    if (known !== undefined && known.protocol === target.protocol) return known;
    const key = `${target.protocol}:${target.provider}`;
    let generic = this.byId.get(key);
    if (generic === undefined) {
      generic = genericFor(target.provider, target.protocol);
      this.byId.set(key, generic);
    }
    return generic;
  }

  /** A known provider by id. */
  byProviderId(id: string): ProviderDescriptor | undefined {
    return this.byId.get(id);
  }

  /** The provider's API key from the settings; an empty value counts as none. */
  apiKey(provider: ProviderDescriptor): string | undefined {
    const value = provider.apiKeyVariable ? this.settings[provider.apiKeyVariable] : undefined;
    return value ? value : undefined;
  }

  /**
   * The adapter for a protocol. Throws a retryable `UpstreamError` when this gateway has none
   * (Mac agents until their adapter is registered), so a plan moves on to its next target.
   */
  adapter(protocol: Protocol): ProtocolAdapter {
    const adapter = this.adapters.get(protocol);
    if (adapter === undefined) {
      throw new UpstreamError('upstream_unavailable', `This gateway has no adapter for the '${protocol}' protocol.`, { retryable: true });
    }
    return adapter;
  }

  /** Closes the pooled upstream connections. */
  close(): Promise<void> {
    return this.http.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private withSettings(provider: ProviderDescriptor): ProviderDescriptor {
    const setting = provider.baseUrlSetting;
    const base = setting ? this.settings[setting.variable] : undefined;
    if (!setting || !base) return provider;
    return { ...provider, defaultBaseUrl: `${base.replace(/\/+$/, '')}${setting.suffix ?? ''}` };
  }
}

function genericFor(providerId: string, protocol: Protocol): ProviderDescriptor {
  switch (protocol) {
    case 'openai':
      return genericOpenAICompatible(providerId);
    case 'anthropic':
      return { id: providerId, protocol, defaultBaseUrl: '', apiKeyVariable: conventionalKeyVariable(providerId), headers: anthropicHeaders };
    case 'agent':
      return { id: providerId, protocol, defaultBaseUrl: '', headers: () => ({}) };
  }
}
