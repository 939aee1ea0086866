import { BusError, type ClassifyResponse, type PlanRequest, type PlanResponse, type Target } from '@iir/contracts';
import { chooseAgents, describeSkipped, type AgentChoice } from '../agents/agent-rules';
import { targetKey } from '../health/target-health';
import type { PolicyPlanner, RoutingState } from '../policies/policy-planner';
import { chooseTiers } from './auto-tiers';

/**
 * `model: "auto"`: the tiers the classification (label × complexity, confidence, the request's pin)
 * asks for, in order; the first tier with an available model wins and the other tiers follow as
 * fallbacks. Each tier model is planned by its own policy (agents least-loaded, offload, weights…),
 * so key priority and agent load apply as for a named model. Target health orders the combined
 * plan once (it also hands out half-open probes), so a tier whose targets are all cooling down
 * falls behind the next one.
 */
export class AutoPlanner {
  constructor(private readonly policies: PolicyPlanner) {}

  plan(state: RoutingState, request: PlanRequest, classification: ClassifyResponse | undefined): PlanResponse {
    const auto = state.policies.auto;
    if (!auto) {
      throw new BusError('model_not_found', "The model 'auto' is not configured here: config/routing.yaml has no `auto:` section.", { param: 'model' });
    }
    const choice = chooseTiers(auto, classification, request.route);
    const targets: Target[] = [];
    const tierOf = new Map<string, string>();
    const add = (model: string, tier: string | undefined): void => {
      const one: PlanRequest = {
        requestId: request.requestId,
        model,
        stream: request.stream,
        ...(request.priority !== undefined ? { priority: request.priority } : {}),
        // The pin binds every tier model's own plan too (its offload, its fallbacks).
        ...(request.route === 'local-only' ? { route: request.route } : {}),
      };
      for (const t of this.plannable(state, one)) {
        const key = targetKey(t);
        if (tierOf.has(key)) continue;
        tierOf.set(key, tier ?? '');
        targets.push(t);
      }
    };
    for (const tier of choice.tiers) for (const model of auto.tiers.get(tier) ?? []) add(model, tier);
    for (const name of request.models ?? []) add(name, undefined);
    const arranged = state.health.arrange(targets);
    const first = arranged.targets[0];
    const winner = first ? tierOf.get(targetKey(first)) : undefined;
    if (!first || !winner) {
      throw new BusError('no_target_available', `auto: no model of the tiers ${choice.tiers.join(', ')} is available (${choice.why}).`);
    }
    const skipped = choice.tiers.slice(0, choice.tiers.indexOf(winner));
    const paused = describeSkipped(this.pausedAgents(state, skipped.flatMap((t) => auto.tiers.get(t) ?? []), request.priority ?? 0));
    const why = skipped.length ? `${choice.why}; ${skipped.join(', ')} unavailable${paused}` : choice.why;
    return {
      model: first.model,
      targets: arranged.targets,
      policy: 'auto',
      reason: `auto: ${why} → tier ${winner}`,
      cacheTtlMs: 0,
      auto: {
        ...(classification ? { label: classification.label, confidence: round(classification.confidence), complexity: classification.complexity } : {}),
        tier: winner,
        why,
      },
    };
  }

  /** The agents the `agents:` rules pause for these models: why a local tier was unavailable. */
  private pausedAgents(state: RoutingState, models: readonly string[], priority: number): AgentChoice['skipped'] {
    const seen = new Map<string, string>();
    for (const model of models) {
      for (const s of chooseAgents(state.agents.serving(model), state.policies.agentRules, model, priority).skipped) seen.set(s.agentId, s.reason);
    }
    return [...seen].sort(([a], [b]) => a.localeCompare(b)).map(([agentId, reason]) => ({ agentId, reason }));
  }

  /** A tier model's targets before health ordering; none when it is not offered here (not in the registry, disabled, no fresh agent). */
  private plannable(state: RoutingState, request: PlanRequest): Target[] {
    try {
      return this.policies.planUnarranged(state, request).targets;
    } catch (error) {
      if (error instanceof BusError && (error.code === 'model_not_found' || error.code === 'no_target_available')) return [];
      throw error; // the catalogue not loaded yet, or a bug: not "unavailable"
    }
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
