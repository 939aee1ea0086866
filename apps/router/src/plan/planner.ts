import { BusError, closestNames, PROVIDER_SETUP_VARIABLES, type ModelRecord, type PlanRequest, type PlanResponse, type Target } from '@iir/contracts';
import type { Catalog } from '../catalog/catalog';

/**
 * Resolves a requested model name against the catalogue and orders the targets: the model itself,
 * its configured fallbacks, then the request's own `models` list. Pure: the same catalogue and
 * request always give the same plan, which is why the gateway may cache it (`cacheTtlMs`).
 */
export class Planner {
  constructor(private readonly cacheTtlMs: number) {}

  plan(catalog: Catalog, request: PlanRequest): PlanResponse {
    assertLoaded(catalog);
    const primary = resolve(catalog, request.model);
    const targets: Target[] = [];
    const seen = new Set<string>();
    // A registry row of kind `agent` names no agent: only the agents view (least-loaded) routes to one.
    const add = (m: ModelRecord | undefined): boolean => {
      if (!m || m.kind === 'agent' || seen.has(m.name)) return false;
      seen.add(m.name);
      targets.push(toTarget(m));
      return true;
    };
    add(primary.model);
    let fallbacks = 0;
    for (const name of primary.model?.fallbacks ?? []) if (add(lookup(catalog, name))) fallbacks++;
    let extra = 0;
    for (const name of request.models ?? []) if (add(lookup(catalog, name))) extra++;
    if (targets.length === 0) throw primary.failure?.() ?? notFound(catalog, request.model);
    const first = targets[0] as Target;
    const parts = [primary.model ? `${first.model}: ${primary.how}` : `'${request.model}' unknown; using the request's models list`];
    if (fallbacks) parts.push(`${fallbacks} fallback${fallbacks > 1 ? 's' : ''} from the registry`);
    if (extra) parts.push(`${extra} from the request's models list`);
    return { model: first.model, targets, policy: 'direct', reason: parts.join('; '), cacheTtlMs: this.cacheTtlMs };
  }
}

export function assertLoaded(catalog: Catalog): void {
  if (catalog.version === 0) {
    throw new BusError('service_unavailable', 'The router has no model catalogue yet (is the registry running?).');
  }
}

export interface Resolution {
  model?: ModelRecord;
  how?: string;
  /** Why the name resolves to nothing, made only when asked: an agent model has no registry row, and hints cost a fuzzy match over every name. */
  failure?: () => BusError;
}

export function resolve(catalog: Catalog, requested: string): Resolution {
  const key = requested.toLowerCase();
  const exact = catalog.byName.get(key);
  if (exact) return { model: exact, how: 'exact match' };
  const alias = catalog.byAlias.get(key);
  if (alias) return { model: alias, how: `alias '${requested}'` };
  // A bare id, which may itself hold a slash (`meta-llama/llama-3.3-70b-instruct`): fine when one
  // provider serves it. A name whose first part is a configured provider names that provider: it
  // never lands on another one's model (`openai/gpt-5` is not OpenRouter's `openai/gpt-5`).
  const slash = key.indexOf('/');
  const namesProvider = slash !== -1 && catalog.providers.has(key.slice(0, slash));
  const candidates = namesProvider ? [] : (catalog.byBareId.get(key) ?? []);
  if (candidates.length === 1) return { model: candidates[0], how: `only provider serving '${requested}'` };
  if (candidates.length > 1) {
    const names = candidates.map((c) => c.name);
    return {
      failure: () =>
        new BusError('model_not_found', `The model '${requested}' is served by several providers; name one of: ${names.join(', ')}.`, {
          suggestions: names,
        }),
    };
  }
  if (slash !== -1 && !namesProvider) return { failure: () => unknownProvider(catalog, requested, slash) };
  return {};
}

/** A provider nobody configured: the variable that would (also for a typo of a well-known one), and the nearest models. */
function unknownProvider(catalog: Catalog, requested: string, slash: number): BusError {
  const provider = requested.slice(0, slash);
  const suggestions = closestNames(requested, catalog.names);
  const providers = [...catalog.providers].sort();
  const known = providers.length > 0 ? ` Configured providers: ${providers.join(', ')}.` : '';
  const hint = suggestions.length > 0 ? ` Did you mean: ${suggestions.join(', ')}?` : '';
  let variable = PROVIDER_SETUP_VARIABLES[provider.toLowerCase()];
  let message: string;
  if (variable) {
    message = `The model '${requested}' is not available: the provider '${provider}' is not configured. Set ${variable} and restart IIR to use its models.${known}`;
  } else {
    const near = closestNames(provider, [...providers, ...Object.keys(PROVIDER_SETUP_VARIABLES)], 1)[0];
    const spelled = near && near !== provider.toLowerCase() ? ` (did you mean the provider '${near}'?)` : '';
    variable = near && !catalog.providers.has(near) ? PROVIDER_SETUP_VARIABLES[near] : undefined;
    const setup = variable ? ` Its models need ${variable}.` : '';
    message = `The model '${requested}' does not exist: unknown provider '${provider}'${spelled}.${setup}${hint}${known || (hint ? '' : ' No provider is configured yet.')}`;
  }
  return new BusError('model_not_found', message, { suggestions, ...(variable ? { variable } : {}) });
}

export function lookup(catalog: Catalog, name: string): ModelRecord | undefined {
  return resolve(catalog, name).model;
}

export function notFound(catalog: Catalog, requested: string): BusError {
  const suggestions = closestNames(requested, catalog.names);
  const hint = suggestions.length ? ` Did you mean: ${suggestions.join(', ')}?` : '';
  return new BusError('model_not_found', `The model '${requested}' does not exist.${hint}`, { suggestions });
}

export function toTarget(m: ModelRecord): Target {
  return { model: m.name, provider: m.provider, kind: m.kind, protocol: m.protocol, baseUrl: m.baseUrl, upstreamModel: m.upstreamModel };
}
