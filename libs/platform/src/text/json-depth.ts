/** Deeper than this, a JSON document is refused (serializing it later would overflow the stack). */
export const MAX_JSON_DEPTH = 64;

/**
 * How deep a JSON text nests, stopping as soon as it passes `limit`: one pass over the characters,
 * skipping strings (and their escapes), without parsing. A malformed text is left to the parser.
 */
export function jsonDeeperThan(text: string, limit = MAX_JSON_DEPTH): boolean {
  // Nesting deeper than `limit` takes more than `limit` opening brackets: most bodies (a chat
  // request has a handful) are cleared by the native search alone, without walking every character.
  if (openingBrackets(text, limit) <= limit) return false;
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

/** `{` and `[` in the text (in strings too), counted up to `limit + 1`. */
function openingBrackets(text: string, limit: number): number {
  let n = 0;
  for (const bracket of ['{', '[']) {
    for (let at = text.indexOf(bracket); at !== -1; at = text.indexOf(bracket, at + 1)) {
      if (++n > limit) return n;
    }
  }
  return n;
}
