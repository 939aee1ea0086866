/** Near-miss suggestions for model names, shared by the router (plans) and the gateway (`/v1/models/{id}`). */

/** Up to `max` names closest to `wanted`: edit distance on the model id, shared prefix as tiebreak. */
export function closestNames(wanted: string, names: readonly string[], max = 3): string[] {
  const w = wanted.toLowerCase();
  const wBare = w.slice(w.indexOf('/') + 1);
  return names
    .map((name) => {
      const n = name.toLowerCase();
      const bare = n.slice(n.indexOf('/') + 1);
      const distance = Math.min(levenshtein(w, n), levenshtein(wBare, bare));
      return { name, distance, prefix: commonPrefix(w, n) };
    })
    .filter((c) => c.distance <= Math.max(3, Math.floor(wBare.length / 2)))
    .sort((a, b) => a.distance - b.distance || b.prefix - a.prefix || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((c) => c.name);
}

function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
