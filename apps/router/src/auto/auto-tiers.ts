import type { ClassifyResponse, RoutePin } from '@iir/contracts';
import type { AutoPolicy } from './auto-config';

export interface TierChoice {
  /** Tiers to try, in order: the first with an available model wins, the rest are fallbacks. */
  tiers: string[];
  /** Why these tiers (for the receipt). */
  why: string;
}

/**
 * Which tiers a classified request may use, in order. Pure: the classification (or its absence),
 * the policy and the request's pin decide it.
 */
export function chooseTiers(policy: AutoPolicy, classification: ClassifyResponse | undefined, pin: RoutePin | undefined): TierChoice {
  let tiers: string[];
  let why: string;
  if (!classification) {
    tiers = policy.classifierUnavailable;
    why = 'classifier unavailable: default tiers';
  } else if (classification.confidence < policy.confidenceThreshold) {
    tiers = policy.lowConfidence;
    why = `${classification.label} at confidence ${classification.confidence.toFixed(2)} < ${policy.confidenceThreshold}: low-confidence tiers`;
  } else {
    const own = policy.routes[classification.label]?.[classification.complexity];
    tiers = own ?? policy.routes.default[classification.complexity];
    why = `${classification.label}/${classification.complexity} (${classification.confidence.toFixed(2)})${own ? '' : ' by the default route'}`;
  }
  const local = (t: string): boolean => policy.localTiers.has(t);
  switch (pin) {
    case 'local-only': {
      // Only local tiers: the route's, or every local tier when the route has none.
      const kept = tiers.filter(local);
      tiers = kept.length ? kept : [...policy.localTiers];
      why += '; x-iir-route: local-only';
      break;
    }
    case 'remote-only': {
      const kept = tiers.filter((t) => !local(t));
      tiers = kept.length ? kept : [...policy.tiers.keys()].filter((t) => !local(t));
      why += '; x-iir-route: remote-only';
      break;
    }
    case 'prefer-local':
      tiers = unique([...[...policy.localTiers], ...tiers]);
      why += '; x-iir-route: prefer-local';
      break;
    case undefined:
      break;
  }
  return { tiers, why };
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
