import type { StoredModel } from './model.entity';
import { invalid } from './model-input.validator';
import type { SeedModel } from '../seed/seed-resolver';

/**
 * What must hold across the catalogue before `model` is written over `rows` (which may include
 * the model's own old row): no other model has its name or one of its aliases as a name or alias,
 * and every fallback names a model that exists.
 */
export function checkAgainstCatalogue(model: SeedModel, rows: readonly StoredModel[]): void {
  const others = rows.filter((r) => r.name.toLowerCase() !== model.name.toLowerCase());
  const owner = new Map<string, string>();
  for (const row of others) {
    for (const key of [row.name, ...row.aliases]) owner.set(key.toLowerCase(), row.name);
  }
  const nameOwner = owner.get(model.name.toLowerCase());
  if (nameOwner !== undefined) {
    throw invalid(`'${model.name}' is already an alias of ${nameOwner}.`, 'name');
  }
  for (const alias of model.aliases) {
    const taken = owner.get(alias.toLowerCase());
    if (taken !== undefined) throw invalid(`The alias '${alias}' is already used by ${taken}.`, 'aliases');
  }
  const known = new Set(rows.flatMap((r) => [r.name, ...r.aliases]).map((n) => n.toLowerCase()));
  for (const fallback of model.fallbacks) {
    if (!known.has(fallback.toLowerCase())) {
      throw invalid(`The fallback '${fallback}' is not a model in the registry.`, 'fallbacks');
    }
  }
}

/** Models that name `name` (or one of its aliases) as a fallback; deleting it would leave them dangling. */
export function dependentsOf(target: StoredModel, rows: readonly StoredModel[]): string[] {
  const names = new Set([target.name, ...target.aliases].map((n) => n.toLowerCase()));
  return rows
    .filter((r) => r.name !== target.name && r.fallbacks.some((f) => names.has(f.toLowerCase())))
    .map((r) => r.name);
}
