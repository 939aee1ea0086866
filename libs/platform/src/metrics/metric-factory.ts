import { Counter, Gauge, Histogram, register, type Metric } from 'prom-client';

/**
 * Get-or-create on prom-client's default registry. Several services (or several instances of one,
 * in tests) can run in one process and share that registry: the first caller creates a metric, the
 * others get the same one. Asking for an existing name with another type or other labels is a
 * programming error and throws, rather than silently reporting into the wrong series.
 */
export interface MetricSpec<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

export function counter<L extends string = never>(spec: MetricSpec<L>): Counter<L> {
  return existing(spec, Counter) ?? new Counter<L>({ name: spec.name, help: spec.help, labelNames: spec.labelNames ?? [] });
}

export function gauge<L extends string = never>(spec: MetricSpec<L>): Gauge<L> {
  return existing(spec, Gauge) ?? new Gauge<L>({ name: spec.name, help: spec.help, labelNames: spec.labelNames ?? [] });
}

export function histogram<L extends string = never>(spec: MetricSpec<L> & { buckets: number[] }): Histogram<L> {
  return (
    existing(spec, Histogram) ??
    new Histogram<L>({ name: spec.name, help: spec.help, labelNames: spec.labelNames ?? [], buckets: spec.buckets })
  );
}

/**
 * Makes every given label combination exist (adding 0, so a value another instance in the process
 * already set stays), so a metric over a bounded set shows all its series from the first scrape:
 * `rate()` and alerts then see a 0, not an absent series.
 */
export function zeroSeries<L extends string>(metric: Counter<L> | Gauge<L>, combinations: ReadonlyArray<Partial<Record<L, string>>>): void {
  for (const labels of combinations) metric.inc(labels, 0);
}

/** Seconds since `start` (from `process.hrtime.bigint()`), for histograms in base units. */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Buckets for in-memory work answered over the bus (a plan takes tens of µs): 25 µs to 1 s. */
export const FAST_BUCKETS = [0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
/** Buckets for database writes: 1 ms to 10 s. */
export const DATABASE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type MetricClass = typeof Counter | typeof Gauge | typeof Histogram;

function existing<L extends string, M>(spec: MetricSpec<L>, kind: MetricClass): M | undefined {
  const metric: Metric | undefined = register.getSingleMetric(spec.name);
  if (!metric) return undefined;
  const labels = (metric as unknown as { labelNames: readonly string[] }).labelNames;
  const wanted = spec.labelNames ?? [];
  if (!(metric instanceof kind) || labels.length !== wanted.length || wanted.some((l) => !labels.includes(l))) {
    throw new Error(`metric ${spec.name} is already registered as another ${metric.constructor.name} or with other labels`);
  }
  return metric as M;
}
