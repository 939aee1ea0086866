import { BusError, MODALITIES, MODEL_KINDS, PROTOCOLS, type Modalities, type ModelInput, type ModelRecord, type Pricing } from '@iir/contracts';
import { isHttpUrl } from '../seed/seed-resolver';
import type { SeedModel } from '../seed/seed-resolver';

/** The writable fields of a model, camelCase on the bus; errors name them as the HTTP API spells them. */
const FIELDS: Record<keyof ModelInput, string> = {
  name: 'name',
  kind: 'kind',
  protocol: 'protocol',
  baseUrl: 'base_url',
  upstreamModel: 'upstream_model',
  contextWindow: 'context_window',
  pricing: 'pricing',
  modalities: 'modalities',
  aliases: 'aliases',
  fallbacks: 'fallbacks',
  enabled: 'enabled',
};

const PROVIDER = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** Model ids may contain slashes (`openrouter/meta-llama/llama-3.1-8b`), colons (`qwen2.5:7b`) and @. */
const MODEL_ID = /^[A-Za-z0-9][\w.:@+/-]*$/;
const MAX_NAME = 200;
const MAX_LIST = 32;

export function invalid(message: string, param: string | null): BusError {
  return new BusError('invalid_request_error', message, param ? { param } : undefined);
}

/**
 * Checks one model on its own (a create body, or an existing row with an update applied): the name
 * is `<provider>/<model>`, kind and protocol are known, the base URL is http(s) unless the model is
 * an agent's. Checks that need the other models (uniqueness, fallbacks) are the service's.
 */
export function validateModelInput(input: unknown): SeedModel {
  const body = asObject(input);
  for (const key of Object.keys(body)) {
    if (!(key in FIELDS)) throw invalid(`Unknown field '${key}'.`, key);
  }
  const b = body as Record<keyof ModelInput, unknown>;
  const name = b.name;
  if (typeof name !== 'string' || name.length === 0) throw invalid("'name' is required: '<provider>/<model>'.", 'name');
  const slash = name.indexOf('/');
  const provider = name.slice(0, slash);
  const modelId = name.slice(slash + 1);
  if (slash <= 0 || !PROVIDER.test(provider) || !MODEL_ID.test(modelId) || name.length > MAX_NAME) {
    throw invalid(
      `'name' must be '<provider>/<model>' (provider: lowercase letters, digits, '.', '_' or '-'; model: letters, digits and . _ : @ + / -; at most ${MAX_NAME} characters), got '${name}'.`,
      'name',
    );
  }
  const kind = oneOf(b.kind, MODEL_KINDS, 'kind');
  const protocol = oneOf(b.protocol, PROTOCOLS, 'protocol');
  const baseUrl = b.baseUrl ?? '';
  if (typeof baseUrl !== 'string') throw invalid("'base_url' must be a string.", 'base_url');
  if (kind !== 'agent' && !isHttpUrl(baseUrl)) {
    throw invalid(`'base_url' must be an http(s) URL such as http://gpu-box:8000/v1, got '${baseUrl}'.`, 'base_url');
  }
  const upstreamModel = b.upstreamModel ?? modelId;
  if (typeof upstreamModel !== 'string' || upstreamModel.length === 0 || upstreamModel.length > MAX_NAME) {
    throw invalid(`'upstream_model' must be the id the upstream expects (1 to ${MAX_NAME} characters).`, 'upstream_model');
  }
  const contextWindow = b.contextWindow ?? null;
  if (contextWindow !== null && (!Number.isInteger(contextWindow) || (contextWindow as number) <= 0)) {
    throw invalid("'context_window' must be a positive whole number of tokens, or null.", 'context_window');
  }
  const enabled = b.enabled ?? true;
  if (typeof enabled !== 'boolean') throw invalid("'enabled' must be true or false.", 'enabled');
  const aliases = names(b.aliases, 'aliases');
  if (aliases.some((a) => a.toLowerCase() === name.toLowerCase())) {
    throw invalid(`'aliases' must not repeat the model's own name '${name}'.`, 'aliases');
  }
  const fallbacks = names(b.fallbacks, 'fallbacks');
  if (fallbacks.some((f) => f.toLowerCase() === name.toLowerCase())) {
    throw invalid(`'fallbacks' must not name the model itself.`, 'fallbacks');
  }
  return {
    name,
    provider,
    kind,
    protocol,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    upstreamModel,
    contextWindow: contextWindow as number | null,
    pricing: pricing(b.pricing),
    modalities: modalities(b.modalities),
    aliases,
    fallbacks,
    enabled,
  };
}

/** An update on top of a stored model: any field but the name. */
export function applyModelChanges(current: ModelRecord, changes: unknown): SeedModel {
  const patch = asObject(changes);
  if ('name' in patch && patch['name'] !== current.name) {
    throw invalid("A model's 'name' cannot change; create the new name and delete the old one.", 'name');
  }
  const base: ModelInput = {
    name: current.name,
    kind: current.kind,
    protocol: current.protocol,
    baseUrl: current.baseUrl,
    upstreamModel: current.upstreamModel,
    contextWindow: current.contextWindow,
    pricing: current.pricing,
    modalities: current.modalities ?? null,
    aliases: current.aliases,
    fallbacks: current.fallbacks,
    enabled: current.enabled,
  };
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  return validateModelInput({ ...base, ...defined });
}

function asObject(input: unknown): Record<string, unknown> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw invalid('The request body must be a JSON object.', null);
  }
  return input as Record<string, unknown>;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], param: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalid(`'${param}' must be one of ${allowed.join(', ')}${value === undefined ? '' : `, got '${String(value)}'`}.`, param);
  }
  return value as T;
}

function names(value: unknown, param: string): string[] {
  const list = value ?? [];
  if (
    !Array.isArray(list) ||
    list.length > MAX_LIST ||
    !list.every((n) => typeof n === 'string' && n.length > 0 && n.length <= MAX_NAME && /^[\w.:@+/-]+$/.test(n))
  ) {
    throw invalid(`'${param}' must be a list of at most ${MAX_LIST} model names (letters, digits and . _ : @ + / -).`, param);
  }
  const lower = (list as string[]).map((n) => n.toLowerCase());
  const repeated = lower.find((n, i) => lower.indexOf(n) !== i);
  if (repeated !== undefined) throw invalid(`'${param}' lists '${repeated}' twice.`, param);
  return list as string[];
}

function modalities(value: unknown): Modalities | null {
  if (value === undefined || value === null) return null;
  const m = value as Partial<Record<'input' | 'output', unknown>>;
  const list = (v: unknown): v is Modalities['input'] =>
    Array.isArray(v) && v.length > 0 && v.length <= MODALITIES.length && v.every((x) => (MODALITIES as readonly unknown[]).includes(x));
  if (typeof value !== 'object' || Array.isArray(value) || !list(m.input) || !list(m.output) || Object.keys(value).length !== 2) {
    throw invalid(`'modalities' must be { input, output }, each a list of ${MODALITIES.join(', ')}; or null.`, 'modalities');
  }
  return { input: [...new Set(m.input)], output: [...new Set(m.output)] };
}

function pricing(value: unknown): Pricing | null {
  if (value === undefined || value === null) return null;
  const p = value as Partial<Pricing> | null;
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  if (typeof value !== 'object' || Array.isArray(value) || !ok(p?.promptPerMTok) || !ok(p?.completionPerMTok) || Object.keys(value).length !== 2) {
    throw invalid("'pricing' must be { prompt, completion } in USD per million tokens (numbers ≥ 0), or null.", 'pricing');
  }
  return { promptPerMTok: p.promptPerMTok, completionPerMTok: p.completionPerMTok };
}
