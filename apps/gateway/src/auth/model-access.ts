import { globToRegExp } from '@iir/platform';

/**
 * A key's allowed-models list: model names or globs (`*` any run of characters, `?` one), matched
 * against the whole name. An empty list allows every model.
 */
export class ModelAccess {
  private readonly patterns: RegExp[];

  constructor(globs: string[]) {
    this.patterns = globs.map(globToRegExp);
  }

  get unrestricted(): boolean {
    return this.patterns.length === 0;
  }

  allows(model: string): boolean {
    return this.unrestricted || this.patterns.some((p) => p.test(model));
  }
}

const cache = new Map<string, ModelAccess>();

/** Keys are few and their lists rarely change: compile each list once. */
export function modelAccess(globs: string[]): ModelAccess {
  const id = globs.join('\n');
  let access = cache.get(id);
  if (!access) {
    if (cache.size > 10_000) cache.clear();
    access = new ModelAccess(globs);
    cache.set(id, access);
  }
  return access;
}
