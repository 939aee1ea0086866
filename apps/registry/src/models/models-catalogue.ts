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
  /** The same over every model, disabled ones included (admin views). */
  private anyByName = new Map<string, ModelRecord>();
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
    this.byName = index(this.enabled);
    this.anyByName = index(this.all);
    this.current = Math.max(this.current + 1, now);
    return this.current;
  }

  list(includeDisabled = false): readonly ModelRecord[] {
    return includeDisabled ? this.all : this.enabled;
  }

  /** An enabled model (or any model) by name or alias, case-insensitively. */
  find(nameOrAlias: string, includeDisabled = false): ModelRecord | undefined {
    return (includeDisabled ? this.anyByName : this.byName).get(nameOrAlias.toLowerCase());
  }
}

function index(models: readonly ModelRecord[]): Map<string, ModelRecord> {
  const byName = new Map<string, ModelRecord>();
  for (const model of models) byName.set(model.name.toLowerCase(), model);
  for (const model of models) {
    for (const alias of model.aliases) {
      if (!byName.has(alias.toLowerCase())) byName.set(alias.toLowerCase(), model);
    }
  }
  return byName;
}

// Frozen: the in-process bus hands these very objects to other services.
function toRecord(row: StoredModel): ModelRecord {
  const { managedBy: _managedBy, ...record } = row;
  return Object.freeze({
    ...record,
    pricing: record.pricing && Object.freeze({ ...record.pricing }),
    modalities: record.modalities ? Object.freeze({ input: [...record.modalities.input], output: [...record.modalities.output] }) : null,
    aliases: Object.freeze([...record.aliases]) as string[],
    fallbacks: Object.freeze([...record.fallbacks]) as string[],
  });
}
