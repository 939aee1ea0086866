import type { AgentLoadView, AgentRecord } from '@iir/contracts';
import { NO_AGENT_RULES, pauseReason, rulesFor, type AgentRulesConfig } from './agent-rules';

/**
 * An immutable snapshot of the registry's agents, indexed by the model names they serve. Only
 * fresh agents are routable; stale ones stay visible for `router.routing.status`.
 */
export class AgentsView {
  private readonly byModel = new Map<string, AgentRecord[]>();
  /** Lower-cased model name → the spelling the agents registered. */
  private readonly names = new Map<string, string>();

  constructor(
    readonly version: number,
    readonly agents: readonly AgentRecord[],
  ) {
    for (const agent of agents) {
      for (const model of agent.models) {
        const key = model.toLowerCase();
        this.names.set(key, model);
        if (agent.freshness !== 'fresh') continue;
        const list = this.byModel.get(key) ?? [];
        list.push(agent);
        this.byModel.set(key, list);
      }
    }
    for (const list of this.byModel.values()) list.sort(byLoad);
  }

  static empty(): AgentsView {
    return new AgentsView(0, []);
  }

  /** Fresh agents serving the model, least loaded first (the planner reorders them by `agentScore`). */
  serving(model: string): AgentRecord[] {
    return this.byModel.get(model.toLowerCase()) ?? [];
  }

  /** The agent a target runs on (`agent://<id>`, or an HTTP-mode agent's URL), if it is one. */
  agentAt(baseUrl: string): AgentRecord | undefined {
    return this.agents.find((a) => `agent://${a.agentId}` === baseUrl || (a.url !== undefined && baseUrl === `${a.url}/v1`));
  }

  /** The model name as agents registered it, when some agent (fresh or stale) serves it. */
  modelName(model: string): string | undefined {
    return this.names.get(model.toLowerCase());
  }

  /** Every agent, with its state and whether the rules pause it (for a priority-0 request). */
  view(rules: AgentRulesConfig = NO_AGENT_RULES): AgentLoadView[] {
    return this.agents.map((a) => ({
      agentId: a.agentId,
      models: a.models,
      freshness: a.freshness,
      queueLength: a.queueLength,
      inFlight: a.inFlight,
      maxConcurrency: a.maxConcurrency,
      lastHeartbeatAt: a.lastHeartbeatAt,
      loadedModels: a.loadedModels,
      state: a.state,
      pausedBecause: pauseReason(a, rulesFor(rules, a.agentId), 0) ?? null,
    }));
  }
}

/** Load order: queue length, then the share of its slots in use, then id (a stable tie-break). */
export function byLoad(a: AgentRecord, b: AgentRecord): number {
  return a.queueLength - b.queueLength || utilisation(a) - utilisation(b) || a.agentId.localeCompare(b.agentId);
}

export function utilisation(agent: Pick<AgentRecord, 'inFlight' | 'maxConcurrency'>): number {
  return agent.inFlight / Math.max(1, agent.maxConcurrency);
}

/** The agent can start a request now, without queueing. */
export function hasFreeSlot(agent: Pick<AgentRecord, 'inFlight' | 'queueLength' | 'maxConcurrency'>): boolean {
  return agent.inFlight + agent.queueLength < Math.max(1, agent.maxConcurrency);
}
