/** One sample of the Prometheus text format: `name{labels} value`. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A parsed `/metrics` page. `value(name, labels)` sums every sample of `name` whose labels include
 * the given ones (so the order labels are printed in does not matter); an absent series is 0.
 */
export class MetricsSnapshot {
  readonly samples: MetricSample[] = [];
  /** Every metric family the page declares (`# TYPE name type`), observed or not. */
  readonly types = new Map<string, string>();

  constructor(readonly text: string) {
    for (const line of text.split('\n')) {
      const type = /^# TYPE (\S+) (\S+)/.exec(line);
      if (type) this.types.set(type[1] as string, type[2] as string);
      if (line.startsWith('#') || line.trim() === '') continue;
      const sample = parseSample(line);
      if (sample) this.samples.push(sample);
    }
  }

  get names(): string[] {
    return [...this.types.keys()];
  }

  value(name: string, labels: Record<string, string> = {}): number {
    let sum = 0;
    for (const s of this.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) sum += s.value;
    }
    return sum;
  }
}

/** GETs `/metrics` on loopback and parses it. */
export async function scrapeMetrics(port: number, host = '127.0.0.1'): Promise<MetricsSnapshot> {
  const res = await fetch(`http://${host}:${port}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`GET /metrics on port ${port} answered ${res.status}`);
  return new MetricsSnapshot(await res.text());
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseSample(line: string): MetricSample | undefined {
  const match = SAMPLE.exec(line);
  if (!match) return undefined;
  const labels: Record<string, string> = {};
  for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key as string] = (value as string).replace(/\\(.)/g, '$1');
  return { name: match[1] as string, labels, value: Number(match[3]) };
}
