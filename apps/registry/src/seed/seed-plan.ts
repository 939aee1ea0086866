import type { StoredModel } from '../models/model.entity';
import type { SeedModel } from './seed-resolver';

/** What seeding writes: whole rows to insert and to update. */
export interface SeedPlan {
  inserts: StoredModel[];
  updates: StoredModel[];
  /** Seed rows no longer offered (requirement unset or entry removed); included in `updates`. */
  disabled: string[];
  /** Rows the seed file also names but an operator owns; left as they are. */
  operatorOwned: string[];
}

/**
 * Compares the rows with what the seed file offers now. Missing rows are inserted as `seed` rows;
 * `seed` rows are brought in line (or disabled when no longer offered); `operator` rows are never
 * touched. Rows are never deleted, so fallbacks and history keep resolving. Unchanged rows keep
 * their `updatedAt`, which makes a restart a no-op.
 */
export function planSeed(existing: readonly StoredModel[], offered: readonly SeedModel[], now: string): SeedPlan {
  const plan: SeedPlan = { inserts: [], updates: [], disabled: [], operatorOwned: [] };
  const rows = new Map(existing.map((row) => [row.name, row]));
  const offeredNames = new Set<string>();
  for (const model of offered) {
    offeredNames.add(model.name);
    const row = rows.get(model.name);
    if (!row) {
      plan.inserts.push({ ...model, managedBy: 'seed', createdAt: now, updatedAt: now });
    } else if (row.managedBy === 'operator') {
      plan.operatorOwned.push(row.name);
    } else if (!sameDefinition(row, model)) {
      plan.updates.push({ ...row, ...model, updatedAt: now });
    }
  }
  for (const row of existing) {
    if (row.managedBy === 'seed' && row.enabled && !offeredNames.has(row.name)) {
      plan.updates.push({ ...row, enabled: false, updatedAt: now });
      plan.disabled.push(row.name);
    }
  }
  return plan;
}

function sameDefinition(row: StoredModel, model: SeedModel): boolean {
  return (Object.keys(model) as Array<keyof SeedModel>).every(
    (key) => JSON.stringify(row[key]) === JSON.stringify(model[key]),
  );
}
