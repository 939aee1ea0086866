import { BusError, isLocalTarget, type AgentRecord, type ModelRecord, type PlanRequest, type PlanResponse, type Target } from '@iir/contracts';
import type { AgentsView } from '../agents/agents-view';
import { hasFreeSlot } from '../agents/agents-view';
import { chooseAgents, describeSkipped } from '../agents/agent-rules';
import type { Catalog } from '../catalog/catalog';
import { targetKey, type TargetHealth } from '../health/target-health';
import { assertLoaded, lookup, notFound, resolve, toTarget, type Planner } from '../plan/planner';
import type { RoutingPolicies, RoutingPolicy } from './routing-config';

/** What a plan is made from: each piece is a snapshot the router keeps in memory. */
export interface RoutingState {
  catalog: Catalog;
  policies: RoutingPolicies;
  agents: AgentsView;
  health: TargetHealth;
}

/** A random number in [0, 1); injectable so tests can seed it. */
export type Random = () => number;

/**
 * Applies the routing file's policy for the requested model (weighted, least-loaded, hard- or
 * soft-offload), falls back to the direct planner for models without one, then arranges the plan
 * around unhealthy targets. Plans of a policy, or with a target not healthy, are never cacheable
 * (`cacheTtlMs: 0`): they depend on load, health or chance.
 */
export class PolicyPlanner {
  constructor(
    private readonly direct: Planner,
    private readonly random: Random = Math.random,
  ) {}

  plan(state: RoutingState, request: PlanRequest): PlanResponse {
    const base = this.planUnarranged(state, request);
    const arranged = state.health.arrange(base.targets);
    const reason = arranged.demoted.length
      ? `${base.reason}; cooling down, moved last: ${arranged.demoted.map(describe).join(', ')}`
      : base.reason;
    return { ...base, targets: arranged.targets, reason, cacheTtlMs: arranged.unsettled ? 0 : (base.cacheTtlMs ?? 0) };
  }

  /**
   * The policy's plan before target health orders it: for callers that combine several plans and
   * order the result once (health ordering also hands out half-open probes, so it must run once).
   */
  planUnarranged(state: RoutingState, request: PlanRequest): PlanResponse {
    assertLoaded(state.catalog);
    const resolution = resolve(state.catalog, request.model);
    const record = resolution.model;
    const name = record?.name ?? state.agents.modelName(request.model);
    // Agent models need agents: without a policy of their own they are least-loaded.
    const policy = name
      ? (state.policies.for(name) ?? (record?.kind === 'agent' || !record ? { model: name, policy: 'least-loaded' as const } : undefined))
      : undefined;
    const base = policy && name ? this.applyPolicy(state, request, policy, name, record) : this.direct.plan(state.catalog, request);
    if (base.targets.length === 0) {
      if (!name) throw resolution.failure?.() ?? notFound(state.catalog, request.model);
      throw new BusError('no_target_available', `No target is available for '${name}' (${base.reason}).`);
    }
    return request.route === 'local-only' ? localOnly(base, name ?? request.model) : base;
  }

  private applyPolicy(state: RoutingState, request: PlanRequest, policy: RoutingPolicy, name: string, record: ModelRecord | undefined): PlanResponse {
    const plan = new PlanBuilder(state.catalog, policy.policy === 'hard-offload');
    let reason: string;
    switch (policy.policy) {
      case 'weighted': {
        const options = policy.targets.flatMap((t) => {
          const m = lookup(state.catalog, t.model);
          return m ? [{ model: m, weight: t.weight }] : [];
        });
        const total = options.reduce((sum, o) => sum + o.weight, 0);
        let r = this.random() * total;
        const picked = options.find((o) => (r -= o.weight) < 0) ?? options[options.length - 1];
        if (picked) plan.addModel(picked.model);
        for (const o of options) plan.addModel(o.model);
        reason = picked
          ? `weighted: ${picked.model.name} picked (weight ${picked.weight} of ${total})`
          : `weighted: no target of the policy is in the registry`;
        break;
      }
      case 'least-loaded': {
        const { agents, skipped } = chooseAgents(state.agents.serving(name), state.policies.agentRules, name, request.priority ?? 0);
        for (const a of agents) plan.addAgent(a, name, record);
        if (record && record.kind !== 'agent') plan.addModel(record);
        const first = agents[0];
        reason = first
          ? `least-loaded: agent ${first.agentId} (${load(first)}) first of ${agents.length} fresh agent${agents.length > 1 ? 's' : ''}`
          : skipped.length
            ? `least-loaded: every fresh agent serving ${name} is paused`
            : `least-loaded: no fresh agent serves ${name}`;
        reason += describeSkipped(skipped);
        break;
      }
      case 'hard-offload': {
        const remote = plan.addRemote(policy.offloadTo);
        reason = `hard-offload: ${name} always goes to ${remote.join(', ') || '(no remote model in the registry)'}`;
        break;
      }
      case 'soft-offload': {
        const priority = request.priority ?? 0;
        const { agents, skipped } = chooseAgents(state.agents.serving(name), state.policies.agentRules, name, priority);
        const least = agents[0];
        let why: string | undefined;
        if (!least) why = skipped.length ? `every fresh agent serving ${name} is paused` : `no fresh agent serves ${name}`;
        else if (least.queueLength > policy.queueThreshold) why = `local queue ${least.queueLength} > threshold ${policy.queueThreshold}`;
        else if (policy.minLocalPriority !== undefined && priority < policy.minLocalPriority && !agents.some(hasFreeSlot)) {
          why = `no free local slot and priority ${priority} < min_local_priority ${policy.minLocalPriority}`;
        }
        if (why) {
          const remote = plan.addRemote(policy.offloadTo);
          for (const a of agents) plan.addAgent(a, name, record);
          reason = `soft-offload: ${why}, offloaded to ${remote.join(', ') || '(no remote model in the registry)'}`;
        } else {
          for (const a of agents) plan.addAgent(a, name, record);
          plan.addRemote(policy.offloadTo);
          const first = least as AgentRecord;
          reason = `soft-offload: local queue ${first.queueLength} <= threshold ${policy.queueThreshold}, agent ${first.agentId} first`;
        }
        reason += describeSkipped(skipped);
        break;
      }
    }
    const extra = plan.addFallbacks(record?.fallbacks ?? [], request.models ?? []);
    if (extra) reason += `; ${extra} fallback${extra > 1 ? 's' : ''}`;
    return { model: record?.name ?? name, targets: plan.targets, policy: policy.policy, reason, cacheTtlMs: 0 };
  }
}

/** An ordered, de-duplicated list of targets (by model and base URL: agents share model names). */
class PlanBuilder {
  readonly targets: Target[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly catalog: Catalog,
    /** hard-offload: agents never appear, not even as fallbacks. */
    private readonly noAgents: boolean,
  ) {}

  add(target: Target): boolean {
    if (this.noAgents && target.kind === 'agent') return false;
    const key = targetKey(target);
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    this.targets.push(target);
    return true;
  }

  addModel(m: ModelRecord): boolean {
    // A registry row of kind `agent` names no agent: only the agents view can route to one.
    if (m.kind === 'agent') return false;
    return this.add(toTarget(m));
  }

  addAgent(agent: AgentRecord, name: string, record: ModelRecord | undefined): void {
    this.add({
      model: name,
      provider: record?.provider ?? (name.slice(0, Math.max(0, name.indexOf('/'))) || 'agent'),
      kind: 'agent',
      // HTTP-mode agents are called at their URL with the OpenAI protocol; the rest over their bus subject.
      protocol: agent.url ? 'openai' : 'agent',
      baseUrl: agent.url ? `${agent.url}/v1` : `agent://${agent.agentId}`,
      upstreamModel: record?.upstreamModel ?? name.slice(name.indexOf('/') + 1),
    });
  }

  /** The remote models that resolve, in order; returns their names. */
  addRemote(names: readonly string[]): string[] {
    const out: string[] = [];
    for (const n of names) {
      const m = lookup(this.catalog, n);
      if (m && m.kind !== 'agent') {
        this.addModel(m);
        out.push(m.name);
      }
    }
    return out;
  }

  /** The model's registry fallbacks, then the request's models list; returns how many were added. */
  addFallbacks(...lists: ReadonlyArray<readonly string[]>): number {
    let added = 0;
    for (const list of lists) {
      for (const n of list) {
        const m = lookup(this.catalog, n);
        if (m && this.addModel(m)) added++;
      }
    }
    return added;
  }
}

/**
 * `x-iir-route: local-only` is a hard constraint: whatever the policy, offload, fallbacks or the
 * request's models list added, only local targets stay; none left is an error, never a remote one.
 */
function localOnly(plan: PlanResponse, name: string): PlanResponse {
  const targets = plan.targets.filter(isLocalTarget);
  if (targets.length === 0) {
    throw new BusError('no_target_available', `x-iir-route: local-only, but no local target is available for '${name}' (${plan.reason}).`);
  }
  const dropped = plan.targets.length - targets.length;
  const reason = `${plan.reason}; x-iir-route: local-only${dropped ? ` (${dropped} remote target${dropped > 1 ? 's' : ''} dropped)` : ''}`;
  return { ...plan, model: targets[0]?.model ?? plan.model, targets, reason };
}

function load(agent: AgentRecord): string {
  return `queue ${agent.queueLength}, ${agent.inFlight}/${agent.maxConcurrency} in flight`;
}

function describe(t: Target): string {
  return t.kind === 'agent' ? `${t.model} at ${t.baseUrl}` : t.model;
}
