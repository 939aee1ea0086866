import { closestNames, type Modalities, type ModelList, type ModelObject, type ModelRecord, type Protocol, type RegistryClient, type Subscription } from '@iir/contracts';
import { JsonLogger } from '@iir/platform';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AgentsDirectory } from '../agents/agents-directory.service';
import { ApiError } from '../errors/api-error';
import { REGISTRY_CLIENT } from '../gateway.tokens';

const MAX_AGE_MS = 30_000;

/**
 * The registry's models as OpenAI model objects, cached in the gateway and dropped on every
 * `registry.models.changed`, so `GET /v1/models` costs no bus hop in the common case. Models of
 * kind `agent` carry `available`: true while a fresh agent announces the model (by name or alias).
 */
@Injectable()
export class ModelsCatalog implements OnModuleInit, OnApplicationShutdown {
  private cache: { at: number; list: ModelList; byId: Map<string, ModelObject>; agentNames: Map<ModelObject, string[]> } | undefined;
  private subscription: Subscription | undefined;
  private loading: Promise<NonNullable<ModelsCatalog['cache']>> | undefined;
  /** Bumped on every registry change, so a load that started before it is not kept. */
  private generation = 0;

  constructor(
    @Inject(REGISTRY_CLIENT) private readonly registry: RegistryClient,
    private readonly agents: AgentsDirectory,
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

  /** The registry's models, then the models fresh agents serve that the registry has no row for. */
  async list(): Promise<ModelList> {
    const loaded = await this.load();
    const served = await this.agents.servedModels();
    const data = loaded.agentNames.size === 0 ? loaded.list.data : loaded.list.data.map((m) => withAvailability(m, loaded.agentNames, served));
    const announced = [...served].filter((name) => !loaded.byId.has(name)).sort().map(agentModelObject);
    return announced.length === 0 && data === loaded.list.data ? loaded.list : { object: 'list', data: [...data, ...announced] };
  }

  /** `visible`: which names the caller may see (near-miss hints never name a model its key may not use). */
  async get(id: string, visible: (name: string) => boolean = () => true): Promise<ModelObject> {
    const loaded = await this.load();
    const found = loaded.byId.get(id.toLowerCase());
    if (!found && (await this.agents.servedModels()).has(id.toLowerCase())) return agentModelObject(id.toLowerCase());
    if (!found) {
      // The same near-miss hints a chat request for the name gets from the router.
      const suggestions = closestNames(id, loaded.list.data.map((m) => m.id).filter(visible));
      const hint = suggestions.length > 0 ? ` Did you mean: ${suggestions.join(', ')}?` : '';
      throw new ApiError('model_not_found', `The model '${id}' does not exist.${hint}`, { param: 'model' });
    }
    if (!loaded.agentNames.has(found)) return found;
    return withAvailability(found, loaded.agentNames, await this.agents.servedModels());
  }

  /** The registry name a model name or alias stands for; undefined when unknown or the registry cannot say. */
  async canonicalName(name: string): Promise<string | undefined> {
    try {
      return (await this.load()).byId.get(name.toLowerCase())?.id;
    } catch {
      return undefined;
    }
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
    const agentNames = new Map<ModelObject, string[]>();
    for (const m of models) {
      const obj = toModelObject(m);
      data.push(obj);
      if (m.kind === 'agent') agentNames.set(obj, [m.name, ...m.aliases].map((n) => n.toLowerCase()));
      byId.set(m.name.toLowerCase(), obj);
      for (const alias of m.aliases) if (!byId.has(alias.toLowerCase())) byId.set(alias.toLowerCase(), obj);
    }
    const loaded = { at: Date.now(), list: { object: 'list' as const, data }, byId, agentNames };
    if (generation === this.generation) this.cache = loaded;
    this.logger.write('debug', 'models catalogue loaded', { count: data.length });
    return loaded;
  }
}

/** An agent model is available while a fresh agent serves it; the cached object stays as it is. */
function withAvailability(m: ModelObject, agentNames: Map<ModelObject, string[]>, served: ReadonlySet<string>): ModelObject {
  const names = agentNames.get(m);
  return names ? { ...m, available: names.some((n) => served.has(n)) } : m;
}

/** A model only an agent announces (the router routes it least-loaded over the agents serving it). */
function agentModelObject(name: string): ModelObject {
  return {
    id: name,
    object: 'model',
    created: 0,
    owned_by: 'local',
    name,
    context_length: null,
    pricing: { prompt: '0', completion: '0' },
    provider: 'local',
    kind: 'agent',
    available: true,
    ...openRouterFields('agent', null, null),
  };
}

/** What each protocol's adapter passes on (or translates), so a client knows what will be honoured. */
const SUPPORTED_PARAMETERS: Record<Protocol, string[]> = {
  openai: ['max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop', 'seed', 'n', 'presence_penalty', 'frequency_penalty', 'logprobs', 'top_logprobs', 'response_format', 'tools', 'tool_choice', 'parallel_tool_calls', 'stream', 'stream_options', 'user'],
  anthropic: ['max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'top_k', 'stop', 'tools', 'tool_choice', 'parallel_tool_calls', 'stream', 'stream_options', 'user'],
  agent: ['max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'seed', 'stop', 'stream', 'stream_options'],
};
const EMBEDDING_PARAMETERS = ['input', 'encoding_format', 'dimensions', 'user'];
const TEXT: Modalities = { input: ['text'], output: ['text'] };

/** OpenRouter's `architecture`, `supported_parameters` and `top_provider`, from the registry row. */
function openRouterFields(protocol: Protocol, modalities: Modalities | null | undefined, contextWindow: number | null): Pick<ModelObject, 'architecture' | 'supported_parameters' | 'top_provider'> {
  const m = modalities ?? TEXT;
  return {
    architecture: { modality: `${m.input.join('+')}->${m.output.join('+')}`, input_modalities: m.input, output_modalities: m.output, tokenizer: 'Other', instruct_type: null },
    supported_parameters: m.output.includes('embeddings') ? EMBEDDING_PARAMETERS : SUPPORTED_PARAMETERS[protocol],
    top_provider: { context_length: contextWindow, max_completion_tokens: null, is_moderated: false },
  };
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
    ...openRouterFields(m.protocol, m.modalities, m.contextWindow),
  };
}

/** OpenRouter quotes USD per token as a decimal string: 0.15 per million → "0.00000015". */
function perToken(perMillion: number): string {
  return (perMillion / 1e6).toFixed(10).replace(/0+$/, '').replace(/\.$/, '');
}
