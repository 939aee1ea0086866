import { PROMPT_LABELS, type PromptComplexity, type PromptLabel } from '@iir/contracts';
import { z } from 'zod';

const tierName = z.string().trim().min(1, 'must be a tier name');
const tierList = z.array(tierName).min(1, 'must list at least one tier');
const byComplexity = z.object({ simple: tierList.optional(), complex: tierList.optional() }).strict();

/** The `auto:` section of `config/routing.yaml`, as written (snake_case). */
export const autoSchema = z
  .object({
    /** Below this confidence the request goes to `low_confidence` (the stronger tiers). */
    confidence_threshold: z.number().min(0).max(1).default(0.5),
    /** Each tier: models in order of preference. */
    tiers: z.record(tierName, z.array(z.string().trim().min(1)).min(1, 'must list at least one model')),
    /** Which tiers run on local machines (for `x-iir-route: local-only | prefer-local | remote-only`). */
    local_tiers: z.array(tierName).default([]),
    /** label × complexity → tiers, in order; `default` for labels without a line of their own. */
    routes: z
      .object({ default: z.object({ simple: tierList, complex: tierList }).strict() })
      .catchall(byComplexity),
    low_confidence: tierList,
    /** When the classifier cannot be asked. */
    classifier_unavailable: tierList,
  })
  .strict()
  .superRefine((auto, ctx) => {
    const known = new Set(Object.keys(auto.tiers));
    const check = (list: readonly string[] | undefined, path: Array<string | number>): void => {
      list?.forEach((t, i) => {
        if (!known.has(t)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `unknown tier '${t}' (tiers: ${[...known].join(', ')})` });
      });
    };
    check(auto.local_tiers, ['local_tiers']);
    check(auto.low_confidence, ['low_confidence']);
    check(auto.classifier_unavailable, ['classifier_unavailable']);
    for (const [label, route] of Object.entries(auto.routes)) {
      if (label !== 'default' && !(PROMPT_LABELS as readonly string[]).includes(label)) {
        ctx.addIssue({ code: 'custom', path: ['routes', label], message: `unknown label (labels: ${PROMPT_LABELS.join(', ')})` });
      }
      check(route.simple, ['routes', label, 'simple']);
      check(route.complex, ['routes', label, 'complex']);
    }
  });

/** The `auto` policy, parsed. */
export interface AutoPolicy {
  confidenceThreshold: number;
  tiers: ReadonlyMap<string, readonly string[]>;
  localTiers: ReadonlySet<string>;
  routes: Readonly<Record<'default', Record<PromptComplexity, string[]>>> & Partial<Record<PromptLabel, Partial<Record<PromptComplexity, string[]>>>>;
  lowConfidence: string[];
  classifierUnavailable: string[];
}

export function toAutoPolicy(raw: z.infer<typeof autoSchema>): AutoPolicy {
  return {
    confidenceThreshold: raw.confidence_threshold,
    tiers: new Map(Object.entries(raw.tiers)),
    localTiers: new Set(raw.local_tiers),
    routes: raw.routes as AutoPolicy['routes'],
    lowConfidence: raw.low_confidence,
    classifierUnavailable: raw.classifier_unavailable,
  };
}
