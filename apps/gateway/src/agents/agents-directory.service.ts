import type { RegistryClient, Subscription } from '@iir/contracts';
import { JsonLogger } from '@iir/platform';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { REGISTRY_CLIENT } from '../gateway.tokens';

const MAX_AGE_MS = 30_000;
/** While the registry cannot list agents, ask again at most this often. */
const RETRY_AFTER_MS = 1_000;

/**
 * Which models fresh agents serve right now, from `registry.agents.list`: cached, and dropped on
 * every `registry.agents.changed` (registration, fresh ↔ stale), so heartbeats cost the gateway
 * nothing. When the registry cannot answer, no agent counts as serving anything.
 */
@Injectable()
export class AgentsDirectory implements OnModuleInit, OnApplicationShutdown {
  private cache: { at: number; ttl: number; served: ReadonlySet<string> } | undefined;
  private loading: Promise<ReadonlySet<string>> | undefined;
  private subscription: Subscription | undefined;
  private generation = 0;

  constructor(
    @Inject(REGISTRY_CLIENT) private readonly registry: RegistryClient,
    private readonly logger: JsonLogger,
  ) {}

  onModuleInit(): void {
    this.subscription = this.registry.onAgentsChanged(() => {
      this.generation++;
      this.cache = undefined;
    });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  /** Lower-cased registry model names that at least one fresh agent announces. */
  servedModels(): Promise<ReadonlySet<string>> {
    if (this.cache && Date.now() - this.cache.at < this.cache.ttl) return Promise.resolve(this.cache.served);
    this.loading ??= this.fetch().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async fetch(): Promise<ReadonlySet<string>> {
    const generation = this.generation;
    let served: ReadonlySet<string>;
    let ttl = MAX_AGE_MS;
    try {
      const { agents } = await this.registry.listAgents();
      served = new Set(agents.filter((a) => a.freshness === 'fresh').flatMap((a) => a.models.map((m) => m.toLowerCase())));
    } catch (error) {
      this.logger.write('debug', 'agents unavailable from the registry', { err: error });
      served = new Set();
      ttl = RETRY_AFTER_MS;
    }
    if (generation === this.generation) this.cache = { at: Date.now(), ttl, served };
    return served;
  }
}
