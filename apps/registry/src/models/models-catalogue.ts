import type { ModelRecord } from '@iir/contracts';
import type { StoredModel } from './model.entity';

/**
 * The registry's in-memory copy of the `models` table, so list and get never touch the database.
 * Replaced whole after every write; each replacement gets a higher version.
 */
export class ModelsCatalogue {
  private all: readonly ModelRecord[] = [];
  private enabled: readonly ModelRecord[] = [];
  /** Lower-cased names and aliases of enabled models. Names win over aliases. */
  private byName = new Map<string, ModelRecord>();
  private current = 0;

  get version(): number {
    return this.current;
  }

  /**
   * Takes a fresh snapshot. The version is the wall clock in ms, but always above the previous
   * one, so it also keeps growing across restarts.
   */
  replace(rows: readonly StoredModel[], now = Date.now()): number {
    this.all = rows.map(toRecord).sort((a, b) => a.name.localeCompare(b.name));
    this.enabled = this.all.filter((m) => m.enabled);
    this.byName = new Map();
    for (const model of this.enabled) this.byName.set(model.name.toLowerCase(), model);
    for (const model of this.enabled) {
      for (const alias of model.aliases) {
        if (!this.byName.has(alias.toLowerCase())) this.byName.set(alias.toLowerCase(), model);
      }
    }
    this.current = Math.max(this.current + 1, now);
    return this.current;
  }

  list(includeDisabled = false): readonly ModelRecord[] {
    return includeDisabled ? this.all : this.enabled;
  }

  /** An enabled model by name or alias, case-insensitively. */
  find(nameOrAlias: string): ModelRecord | undefined {
    return this.byName.get(nameOrAlias.toLowerCase());
  }
}

// Frozen: the in-process bus hands these very objects to other services.
function toRecord(row: StoredModel): ModelRecord {
  const { managedBy: _managedBy, ...record } = row;
  return Object.freeze({
    ...record,
    pricing: record.pricing && Object.freeze({ ...record.pricing }),
    aliases: Object.freeze([...record.aliases]) as string[],
    fallbacks: Object.freeze([...record.fallbacks]) as string[],
  });
}
