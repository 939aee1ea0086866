import { isLocalTarget, type PlanResponse, type Target, type Usage } from '@iir/contracts';
import type { CacheMeta } from '../cache/cached-response';

/** Plans are reused (cached) objects: their part of the receipt is computed once per plan. */
const planHeaders = new WeakMap<PlanResponse, Record<string, string>>();

/** The routing receipt: where the request ran and why. Header values stay ASCII. */
export function routeHeaders(plan: PlanResponse, target: Target, attempts: number): Record<string, string> {
  return { ...planRouteHeaders(plan), 'x-iir-target': target.model, 'x-iir-provider': target.provider, 'x-iir-attempts': String(attempts) };
}

/** The route headers the plan alone decides (cached per plan). */
export function planRouteHeaders(plan: PlanResponse): Record<string, string> {
  let fixed = planHeaders.get(plan);
  if (!fixed) {
    fixed = {
      'x-iir-model': plan.model,
      'x-iir-policy': plan.policy,
      'x-iir-route-reason': plan.reason.replace(/[^\x20-\x7e]/g, '?').slice(0, 256),
      ...(plan.auto
        ? {
            'x-iir-auto-tier': plan.auto.tier,
            ...(plan.auto.label ? { 'x-iir-auto-label': plan.auto.label } : {}),
            ...(plan.auto.confidence !== undefined ? { 'x-iir-auto-confidence': String(plan.auto.confidence) } : {}),
            ...(plan.auto.complexity ? { 'x-iir-auto-complexity': plan.auto.complexity } : {}),
          }
        : {}),
    };
    planHeaders.set(plan, fixed);
  }
  return fixed;
}

/** Where a stored answer came from, so a hit's receipt and usage record can say so. */
export function cacheMeta(plan: PlanResponse, target: Target, usage: Usage | undefined): CacheMeta {
  return {
    model: plan.model,
    target: target.model,
    provider: target.provider,
    local: isLocalTarget(target),
    ...(usage ? { usage } : {}),
    storedAt: Date.now(),
  };
}
