import type { ModelRecord } from '@iir/contracts';

/**
 * An immutable snapshot of the registry, indexed for O(1) lookups: by name, by alias, and by bare
 * model id (`gpt-4o-mini` when exactly one provider has it). Built once per registry change.
 */
export class Catalog {
  readonly byName = new Map<string, ModelRecord>();
  readonly byAlias = new Map<string, ModelRecord>();
  /**
   * Bare id → every enabled model with that id (more than one = ambiguous): the name without its
   * provider (`gpt-4o-mini`, `meta-llama/llama-3.3-70b-instruct` of `openrouter/meta-llama/…`)
   * and the id the upstream knows it by.
   */
  readonly byBareId = new Map<string, ModelRecord[]>();
  readonly providers = new Set<string>();
  readonly names: string[];

  constructor(
    readonly version: number,
    models: readonly ModelRecord[],
  ) {
    for (const m of models) {
      if (!m.enabled) continue;
      const name = m.name.toLowerCase();
      this.byName.set(name, m);
      this.providers.add(m.provider.toLowerCase());
      for (const alias of m.aliases) this.byAlias.set(alias.toLowerCase(), m);
      const bare = name.slice(name.indexOf('/') + 1);
      for (const id of new Set([bare, m.upstreamModel.toLowerCase()])) {
        if (!id) continue;
        const list = this.byBareId.get(id) ?? [];
        list.push(m);
        this.byBareId.set(id, list);
      }
    }
    this.names = [...this.byName.values()].map((m) => m.name);
  }

  get size(): number {
    return this.byName.size;
  }

  static empty(): Catalog {
    return new Catalog(0, []);
  }
}
