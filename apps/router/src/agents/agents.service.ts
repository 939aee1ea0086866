import { RegistryClient, type Bus, type Subscription } from '@iir/contracts';
import { background, BUS, JsonLogger } from '@iir/platform';
import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { routerMetrics } from '../metrics/router-metrics';
import { RoutingConfigService } from '../policies/routing-config.service';
import { agentScore, NO_AGENT_RULES, pauseReason, rulesFor } from './agent-rules';
import { AgentsView } from './agents-view';

export const AGENTS_REFRESH_MS = Symbol('AGENTS_REFRESH_MS');

/**
 * The router's in-memory copy of `registry.agents.list` (stale ones included, for the status view):
 * reloaded on every `registry.agents.changed` and periodically, because heartbeats (queue length,
 * in flight) change load without an event. Plans never wait for the registry.
 */
@Injectable()
export class AgentsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly metrics = routerMetrics();
  private current = AgentsView.empty();
  private readonly registry: RegistryClient;
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;
  /** A change arrived during a load: the answer in flight may predate it. */
  private again = false;
  private failing = false;

  constructor(
    @Inject(BUS) bus: Bus,
    @Inject(AGENTS_REFRESH_MS) private readonly refreshMs: number,
    private readonly logger: JsonLogger,
    @Optional() private readonly routing?: RoutingConfigService,
  ) {
    this.registry = new RegistryClient(bus);
  }

  get agents(): AgentsView {
    return this.current;
  }

  onApplicationBootstrap(): void {
    const refresh = (): void => background(() => this.refresh(), (err) => this.logger.write('warn', 'agents refresh failed', { err }));
    this.subscription = this.registry.onAgentsChanged(refresh);
    refresh();
    this.timer = setInterval(refresh, this.refreshMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
    clearInterval(this.timer);
  }

  /** Loads the agents now; a call during a load schedules one more load after it. */
  refresh(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = this.loadUntilSettled().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async loadUntilSettled(): Promise<void> {
    do {
      this.again = false;
      try {
        const { agents, version } = await this.registry.listAgents({ includeStale: true });
        this.current = new AgentsView(version, agents);
        const fresh = agents.filter((a) => a.freshness === 'fresh').length;
        this.metrics.agents.set({ state: 'fresh' }, fresh);
        this.metrics.agents.set({ state: 'stale' }, agents.length - fresh);
        this.recordAgentGauges();
        if (this.failing) this.logger.write('info', 'agents list loaded again', { agents: agents.length });
        this.failing = false;
      } catch (error) {
        // Keep the last view: a registry hiccup must not make every agent vanish at once.
        if (!this.failing) this.logger.write('warn', 'registry did not list the agents; keeping the last view', { err: (error as Error).message });
        this.failing = true;
      }
    } while (this.again);
  }

  /** `iir_router_agent_paused` / `iir_router_agent_score` per agent, from the last view and rules. */
  private recordAgentGauges(): void {
    const rules = this.routing?.policies.agentRules ?? NO_AGENT_RULES;
    this.metrics.agentPaused.reset();
    this.metrics.agentScore.reset();
    this.metrics.agentQueueLength.reset();
    this.metrics.agentInFlight.reset();
    for (const a of this.current.agents) {
      this.metrics.agentQueueLength.set({ agent: a.agentId }, a.queueLength);
      this.metrics.agentInFlight.set({ agent: a.agentId }, a.inFlight);
      this.metrics.agentPaused.set({ agent: a.agentId }, pauseReason(a, rulesFor(rules, a.agentId), 0) ? 1 : 0);
      const model = a.models[0];
      if (model) this.metrics.agentScore.set({ agent: a.agentId }, agentScore(a, model));
    }
  }
}
