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
      'x-iir-route-reason': asciiHeader(plan.reason).slice(0, 256),
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

/** Symbols the router's reasons use, in the ASCII a header can carry without losing their meaning. */
const ASCII_FOR: Record<string, string> = {
  '→': '->',
  '←': '<-',
  '⇒': '=>',
  '≥': '>=',
  '≤': '<=',
  '≠': '!=',
  '×': 'x',
  '·': '.',
  '…': '...',
  '–': '-',
  '—': '-',
  '‘': "'",
  '’': "'",
  '“': '"',
  '”': '"',
  '°': ' deg',
};

/**
 * A header value in printable ASCII that keeps its meaning: arrows and comparison signs spelled
 * out, accents dropped (`é` → `e`), anything else left a `?`.
 */
export function asciiHeader(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code >= 0x20 && code <= 0x7e) out += char;
    else if (ASCII_FOR[char] !== undefined) out += ASCII_FOR[char];
    else {
      const plain = char.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      out += /^[\x20-\x7e]+$/.test(plain) ? plain : char === '\t' || char === '\n' ? ' ' : '?';
    }
  }
  return out;
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
