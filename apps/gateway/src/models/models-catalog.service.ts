import type { ModelList, ModelObject, ModelRecord, RegistryClient, Subscription } from '@iir/contracts';
import { JsonLogger } from '@iir/platform';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import { REGISTRY_CLIENT } from '../gateway.tokens';

const MAX_AGE_MS = 30_000;

/**
 * The registry's models as OpenAI model objects, cached in the gateway and dropped on every
 * `registry.models.changed`, so `GET /v1/models` costs no bus hop in the common case.
 */
@Injectable()
export class ModelsCatalog implements OnModuleInit, OnApplicationShutdown {
  private cache: { at: number; list: ModelList; byId: Map<string, ModelObject> } | undefined;
  private subscription: Subscription | undefined;
  private loading: Promise<NonNullable<ModelsCatalog['cache']>> | undefined;
  /** Bumped on every registry change, so a load that started before it is not kept. */
  private generation = 0;

  constructor(
    @Inject(REGISTRY_CLIENT) private readonly registry: RegistryClient,
    private readonly logger: JsonLogger,
  ) {}

  onModuleInit(): void {
    this.subscription = this.registry.onChanged(() => {
      this.generation++;
      this.cache = undefined;
    });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  async list(): Promise<ModelList> {
    return (await this.load()).list;
  }

  async get(id: string): Promise<ModelObject> {
    const found = (await this.load()).byId.get(id.toLowerCase());
    if (!found) throw new ApiError('model_not_found', `The model '${id}' does not exist.`, { param: 'model' });
    return found;
  }

  private load(): Promise<NonNullable<ModelsCatalog['cache']>> {
    if (this.cache && Date.now() - this.cache.at < MAX_AGE_MS) return Promise.resolve(this.cache);
    // Concurrent misses share one registry call.
    this.loading ??= this.fetch().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async fetch(): Promise<NonNullable<ModelsCatalog['cache']>> {
    const generation = this.generation;
    const { models } = await this.registry.listModels();
    const data: ModelObject[] = [];
    const byId = new Map<string, ModelObject>();
    for (const m of models) {
      const obj = toModelObject(m);
      data.push(obj);
      byId.set(m.name.toLowerCase(), obj);
      for (const alias of m.aliases) if (!byId.has(alias.toLowerCase())) byId.set(alias.toLowerCase(), obj);
    }
    const loaded = { at: Date.now(), list: { object: 'list' as const, data }, byId };
    if (generation === this.generation) this.cache = loaded;
    this.logger.write('debug', 'models catalogue loaded', { count: data.length });
    return loaded;
  }
}

function toModelObject(m: ModelRecord): ModelObject {
  return {
    id: m.name,
    object: 'model',
    created: Math.floor(Date.parse(m.createdAt) / 1000) || 0,
    owned_by: m.provider,
    name: m.name,
    context_length: m.contextWindow,
    pricing: m.pricing
      ? { prompt: perToken(m.pricing.promptPerMTok), completion: perToken(m.pricing.completionPerMTok) }
      : { prompt: '0', completion: '0' },
    provider: m.provider,
    kind: m.kind,
  };
}

/** OpenRouter quotes USD per token as a decimal string: 0.15 per million → "0.00000015". */
function perToken(perMillion: number): string {
  return (perMillion / 1e6).toFixed(10).replace(/0+$/, '').replace(/\.$/, '');
}
