/** Deeper than this, a JSON document is refused (serializing it later would overflow the stack). */
export const MAX_JSON_DEPTH = 64;

/**
 * How deep a JSON text nests, stopping as soon as it passes `limit`: one pass over the characters,
 * skipping strings (and their escapes), without parsing. A malformed text is left to the parser.
 */
export function jsonDeeperThan(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return false;
}
