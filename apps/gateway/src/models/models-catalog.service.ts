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

  constructor(
    @Inject(REGISTRY_CLIENT) private readonly registry: RegistryClient,
    private readonly logger: JsonLogger,
  ) {}

  onModuleInit(): void {
    this.subscription = this.registry.onChanged(() => {
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

  private async load(): Promise<NonNullable<ModelsCatalog['cache']>> {
    if (this.cache && Date.now() - this.cache.at < MAX_AGE_MS) return this.cache;
    const { models } = await this.registry.listModels();
    const data = models.map(toModelObject);
    const byId = new Map<string, ModelObject>();
    for (const m of models) {
      const obj = data.find((d) => d.id === m.name) as ModelObject;
      byId.set(m.name.toLowerCase(), obj);
      for (const alias of m.aliases) if (!byId.has(alias.toLowerCase())) byId.set(alias.toLowerCase(), obj);
    }
    this.cache = { at: Date.now(), list: { object: 'list', data }, byId };
    this.logger.write('debug', 'models catalogue loaded', { count: data.length });
    return this.cache;
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
      ? {
          prompt: (m.pricing.promptPerMTok / 1e6).toFixed(10).replace(/0+$/, '').replace(/\.$/, ''),
          completion: (m.pricing.completionPerMTok / 1e6).toFixed(10).replace(/0+$/, '').replace(/\.$/, ''),
        }
      : { prompt: '0', completion: '0' },
    provider: m.provider,
    kind: m.kind,
  };
}
