import { BusError, type ClassifyResponse, type PlanRequest, type PlanResponse, type Target } from '@iir/contracts';
import type { PolicyPlanner, RoutingState } from '../policies/policy-planner';
import { chooseTiers } from './auto-tiers';

/**
 * `model: "auto"`: the tiers the classification (label × complexity, confidence, the request's pin)
 * asks for, in order; the first tier with an available model wins and the other tiers follow as
 * fallbacks. Each tier model is planned by its own policy (agents least-loaded, offload, weights…),
 * so key priority and agent load apply as for a named model. A tier is available when one of its
 * models has a target that is not cooling down.
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
    const seen = new Set<string>();
    let winner: string | undefined;
    const skipped: string[] = [];
    for (const tier of choice.tiers) {
      let usable = false;
      for (const model of auto.tiers.get(tier) ?? []) {
        let plan: PlanResponse;
        try {
          plan = this.policies.plan(state, { requestId: request.requestId, model, stream: request.stream, ...(request.priority !== undefined ? { priority: request.priority } : {}) });
        } catch {
          continue; // not in the registry, disabled, or no fresh agent: not available
        }
        for (const t of plan.targets) {
          const key = `${t.model.toLowerCase()}\u0000${t.baseUrl}`;
          if (seen.has(key)) continue;
          seen.add(key);
          targets.push(t);
          if (state.health.state(t) !== 'open') usable = true;
        }
      }
      if (usable) winner ??= tier;
      else if (!winner) skipped.push(tier);
    }
    for (const name of request.models ?? []) {
      try {
        for (const t of this.policies.plan(state, { requestId: request.requestId, model: name, stream: request.stream }).targets) {
          const key = `${t.model.toLowerCase()}\u0000${t.baseUrl}`;
          if (!seen.has(key)) {
            seen.add(key);
            targets.push(t);
          }
        }
      } catch {
        // An unknown extra model is simply not added.
      }
    }
    if (!winner || targets.length === 0) {
      throw new BusError('no_target_available', `auto: no model of the tiers ${choice.tiers.join(', ')} is available (${choice.why}).`);
    }
    const arranged = state.health.arrange(targets);
    const why = skipped.length ? `${choice.why}; ${skipped.join(', ')} unavailable` : choice.why;
    return {
      model: arranged.targets[0]?.model ?? 'auto',
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
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
