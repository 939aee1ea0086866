/** PromQL words that look like identifiers but are not metric names. */
const KEYWORDS = new Set([
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'atan2', 'inf', 'nan',
]);
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'] as const;

/**
 * The metric names a PromQL expression reads. Strings, label matchers, ranges and `by (...)`-style
 * label lists are dropped first; what is left that is an identifier not followed by `(` (a
 * function or aggregation) and not a keyword is a metric name. Good enough for the expressions we
 * write, which is all it is for; `balanced` catches the typos it would otherwise read past.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^{}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = match[0];
    const rest = stripped.slice((match.index ?? 0) + word.length);
    if (/^\s*\(/.test(rest) || KEYWORDS.has(word.toLowerCase())) continue;
    // Units of a number (1e3) or a duration left outside brackets (offset 5m) are not names.
    const before = stripped[(match.index ?? 0) - 1];
    if (before !== undefined && /[0-9.]/.test(before)) continue;
    names.add(word);
  }
  return [...names];
}

/** True when every bracket in `expr` (outside strings) closes in order. */
export function balanced(expr: string): boolean {
  const open: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (const ch of expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
    if ('([{'.includes(ch)) open.push(ch);
    else if (ch in pairs && open.pop() !== pairs[ch]) return false;
  }
  return open.length === 0;
}

/**
 * Whether `name` is a series of a known metric: the name itself, or `<histogram>_bucket|_sum|_count`.
 * `known` maps each family to its type, as `# TYPE` lines declare them.
 */
export function isKnownSeries(name: string, known: ReadonlyMap<string, string>): boolean {
  if (known.has(name)) return true;
  const suffix = HISTOGRAM_SUFFIXES.find((s) => name.endsWith(s));
  if (!suffix) return false;
  const type = known.get(name.slice(0, -suffix.length));
  return type === 'histogram' || type === 'summary';
}
