import { BusError, isLocalTarget, type PlanResponse, type ProviderPreferences, type Target } from '@iir/contracts';
import type { AgentsView } from '../agents/agents-view';
import type { Catalog } from '../catalog/catalog';
import type { TargetHealth } from '../health/target-health';

export interface PreferenceInputs {
  catalog: Catalog;
  health: TargetHealth;
  agents: AgentsView;
}

/**
 * A request's `provider` object applied to a plan the policies made (OpenRouter's provider
 * routing, over IIR's provider names): `only` and `ignore` narrow it, `sort` and `order` reorder it
 * (stable: ties keep the policy's order), `allow_fallbacks: false` cuts it to the `order` list (or
 * to its first target). It can only narrow and reorder what the policy chose — pins, the key's
 * models and the agent rules were applied before and still bind. Nothing left is an error that
 * names the preference.
 */
export function applyProviderPreferences(plan: PlanResponse, prefs: ProviderPreferences | undefined, inputs: PreferenceInputs): PlanResponse {
  if (!prefs || Object.keys(prefs).length === 0) return plan;
  const lower = (list: string[] | undefined): string[] | undefined => list?.map((p) => p.toLowerCase());
  const only = lower(prefs.only);
  const ignore = lower(prefs.ignore);
  const order = lower(prefs.order);
  const said: string[] = [];
  let targets = plan.targets;
  if (only?.length) {
    targets = targets.filter((t) => only.includes(t.provider.toLowerCase()));
    said.push(`only ${only.join(',')}`);
  }
  if (ignore?.length) {
    targets = targets.filter((t) => !ignore.includes(t.provider.toLowerCase()));
    said.push(`ignore ${ignore.join(',')}`);
  }
  if (prefs.sort) {
    const score = scorer(prefs.sort, inputs);
    targets = stableSort(targets, (a, b) => score(a) - score(b));
    said.push(`sort by ${prefs.sort}`);
  }
  if (order?.length) {
    const rank = (t: Target): number => {
      const at = order.indexOf(t.provider.toLowerCase());
      return at === -1 ? order.length : at;
    };
    targets = stableSort(targets, (a, b) => rank(a) - rank(b));
    said.push(`order ${order.join(',')}`);
  }
  if (prefs.allow_fallbacks === false) {
    targets = order?.length ? targets.filter((t) => order.includes(t.provider.toLowerCase())) : targets.slice(0, 1);
    said.push('no fallbacks');
  }
  if (targets.length === 0) {
    throw new BusError('no_target_available', `No target for '${plan.model}' is left by the request's provider preferences (${said.join('; ')}).`, {
      param: 'provider',
    });
  }
  return { ...plan, targets, reason: `${plan.reason}; provider: ${said.join('; ')}` };
}

/** Lower is better; what is not known sorts after what is. */
function scorer(sort: NonNullable<ProviderPreferences['sort']>, { catalog, health, agents }: PreferenceInputs): (t: Target) => number {
  switch (sort) {
    case 'price':
      return (t) => {
        if (isLocalTarget(t)) return 0;
        const pricing = catalog.byName.get(t.model.toLowerCase())?.pricing;
        return pricing ? pricing.promptPerMTok + pricing.completionPerMTok : Number.MAX_VALUE;
      };
    case 'latency':
      return (t) => {
        const agent = agents.agentAt(t.baseUrl);
        const ttft = typeof agent?.state['ttft_ms'] === 'number' ? agent.state['ttft_ms'] : undefined;
        return ttft ?? health.latency(t) ?? Number.MAX_VALUE;
      };
    case 'throughput':
      return (t) => {
        const speed = agents.agentAt(t.baseUrl)?.state['tokens_per_s'];
        return typeof speed === 'number' && speed > 0 ? -speed : Number.MAX_VALUE;
      };
    default:
      return () => 0;
  }
}

function stableSort<T>(items: readonly T[], compare: (a: T, b: T) => number): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => compare(a.item, b.item) || a.index - b.index)
    .map((x) => x.item);
}
