import type { ModelRecord } from '@iir/contracts';
import { SeedFileError, type SeedEntry } from './seed-file';

/** A model the seed file offers in this environment: a record without its timestamps. */
export type SeedModel = Omit<ModelRecord, 'createdAt' | 'updatedAt'>;

export interface ResolvedSeed {
  models: SeedModel[];
  /** Entries left out because a variable they require is not set. */
  skipped: Array<{ name: string; missing: string[] }>;
}

/** The variables the registry knows (set or not); only these may appear in the file. */
export type SeedEnvironment = Readonly<Record<string, string | undefined>>;

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Applies `requires` (an entry is offered only when all of them are set) and `${VAR}` /
 * `${VAR:-default}` placeholders, then checks the result: names are `<provider>/<model>`, base URLs
 * are http(s), and no name or alias is claimed twice.
 */
export function resolveSeed(entries: SeedEntry[], environment: SeedEnvironment, file: string): ResolvedSeed {
  const fail = (entry: SeedEntry, message: string): never => {
    throw new SeedFileError(`${file}: ${entry.name}: ${message}`);
  };
  const checkKnown = (entry: SeedEntry, variable: string): void => {
    if (!(variable in environment)) {
      fail(entry, `unknown variable ${variable}; the registry reads only ${Object.keys(environment).join(', ')}`);
    }
  };
  const models: SeedModel[] = [];
  const skipped: ResolvedSeed['skipped'] = [];
  for (const entry of entries) {
    entry.requires.forEach((v) => checkKnown(entry, v));
    const missing = entry.requires.filter((v) => !environment[v]);
    if (missing.length > 0) {
      skipped.push({ name: entry.name, missing });
      continue;
    }
    const expand = (value: string): string =>
      value.replace(PLACEHOLDER, (_match, variable: string, fallback: string | undefined) => {
        checkKnown(entry, variable);
        const set = environment[variable];
        if (set) return set;
        if (fallback !== undefined) return fallback;
        return fail(entry, `uses \${${variable}}, which is not set; list it in requires or give a default (\${${variable}:-value})`);
      });
    const model: SeedModel = {
      name: expand(entry.name),
      provider: entry.provider,
      kind: entry.kind,
      protocol: entry.protocol,
      baseUrl: expand(entry.base_url).replace(/\/+$/, ''),
      upstreamModel: expand(entry.upstream_model),
      contextWindow: entry.context_window,
      pricing: entry.pricing && { promptPerMTok: entry.pricing.prompt, completionPerMTok: entry.pricing.completion },
      modalities: entry.modalities,
      aliases: entry.aliases.map(expand),
      fallbacks: entry.fallbacks.map(expand),
      enabled: entry.enabled,
    };
    if (!model.name.startsWith(`${model.provider}/`) || model.name.length <= model.provider.length + 1) {
      fail(entry, `name must be "${model.provider}/<model>" (its provider, a slash, the model)`);
    }
    if (model.kind !== 'agent' && !isHttpUrl(model.baseUrl)) {
      fail(entry, `base_url must be an http(s) URL, got "${model.baseUrl}"`);
    }
    models.push(model);
  }
  assertUniqueNames(models, file);
  return { models, skipped };
}

function assertUniqueNames(models: SeedModel[], file: string): void {
  const owner = new Map<string, string>();
  for (const model of models) {
    for (const key of new Set([model.name, ...model.aliases].map((n) => n.toLowerCase()))) {
      const previous = owner.get(key);
      if (previous !== undefined) {
        throw new SeedFileError(`${file}: "${key}" is claimed by both ${previous} and ${model.name}`);
      }
      owner.set(key, model.name);
    }
  }
}

/** An http(s) URL with a host: what a model's base URL must be. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}
