import type { AttemptReportedEvent, Target, TargetHealthState, TargetHealthView } from '@iir/contracts';

export interface CooldownSettings {
  /** Consecutive failures that open a target's circuit. */
  failures: number;
  /** How long an open circuit cools down (a 429's Retry-After overrides it). */
  cooldownMs: number;
}

interface Entry {
  model: string;
  baseUrl: string;
  consecutiveFailures: number;
  /** Set while the circuit is open or half-open (the cooldown's end). */
  openUntil: number | undefined;
  /** When the half-open probe was let through; another one goes only if it never reported back. */
  probeAt: number | undefined;
  lastOutcome: AttemptReportedEvent['outcome'] | undefined;
  lastReportAt: number | undefined;
  /** Moving average of successful attempts' latency (ms), for `provider.sort: latency`. */
  latencyMs?: number;
}

/** What arranging a plan around health did. */
export interface Arranged {
  targets: Target[];
  /** Targets moved to the end (cooling down, or a probe already out). */
  demoted: Target[];
  /** Some target is not closed: the plan must not be cached. */
  unsettled: boolean;
}

/**
 * A circuit breaker per target (model + base URL), fed by the gateways' attempt reports. Opens after
 * `failures` consecutive failures or one 429, cools down, then lets one request through as a probe
 * (half-open): its success closes the circuit, its failure re-opens it. Pure apart from the clock.
 */
export class TargetHealth {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly settings: CooldownSettings,
    private readonly now: () => number = Date.now,
  ) {}

  record(event: AttemptReportedEvent): void {
    const now = this.now();
    const entry = this.entry(event.model, event.baseUrl);
    entry.lastOutcome = event.outcome;
    entry.lastReportAt = now;
    if (isSuccess(event)) {
      if (event.outcome === 'ok' && Number.isFinite(event.latencyMs)) {
        entry.latencyMs = entry.latencyMs === undefined ? event.latencyMs : entry.latencyMs * (1 - LATENCY_WEIGHT) + event.latencyMs * LATENCY_WEIGHT;
      }
      entry.consecutiveFailures = 0;
      entry.openUntil = undefined;
      entry.probeAt = undefined;
      return;
    }
    entry.consecutiveFailures++;
    const halfOpen = entry.openUntil !== undefined && now >= entry.openUntil;
    if (event.outcome === 'rate_limited') {
      this.open(entry, now, event.retryAfterMs ?? this.settings.cooldownMs);
    } else if (halfOpen || (entry.openUntil === undefined && entry.consecutiveFailures >= this.settings.failures)) {
      this.open(entry, now, this.settings.cooldownMs);
    }
  }

  /** The target's recent latency (ms), when it has answered lately. */
  latency(target: Pick<Target, 'model' | 'baseUrl'>): number | undefined {
    return this.entries.get(key(target.model, target.baseUrl))?.latencyMs;
  }

  state(target: Pick<Target, 'model' | 'baseUrl'>): TargetHealthState {
    const entry = this.entries.get(key(target.model, target.baseUrl));
    return entry ? stateOf(entry, this.now()) : 'closed';
  }

  /**
   * Healthy targets keep their order; open ones, and half-open ones whose probe is already out, go
   * to the end (never dropped: health alone never empties a plan). The first plan that meets a
   * half-open target carries the probe.
   */
  arrange(targets: readonly Target[]): Arranged {
    const now = this.now();
    const kept: Target[] = [];
    const demoted: Target[] = [];
    let unsettled = false;
    for (const target of targets) {
      const entry = this.entries.get(key(target.model, target.baseUrl));
      const state = entry ? stateOf(entry, now) : 'closed';
      if (state !== 'closed') unsettled = true;
      if (!entry || state === 'closed') {
        kept.push(target);
      } else if (state === 'half-open' && (entry.probeAt === undefined || now - entry.probeAt > this.settings.cooldownMs)) {
        entry.probeAt = now;
        kept.push(target);
      } else {
        demoted.push(target);
      }
    }
    return { targets: demoted.length ? [...kept, ...demoted] : [...targets], demoted, unsettled };
  }

  /** Targets not closed (cooling down or on probation), for the gauge: cheaper than `view()`. */
  countNotClosed(): number {
    const now = this.now();
    let n = 0;
    for (const e of this.entries.values()) if (stateOf(e, now) !== 'closed') n++;
    return n;
  }

  view(): TargetHealthView[] {
    const now = this.now();
    return [...this.entries.values()].map((e) => ({
      model: e.model,
      baseUrl: e.baseUrl,
      state: stateOf(e, now),
      consecutiveFailures: e.consecutiveFailures,
      cooldownUntil: e.openUntil !== undefined && e.openUntil > now ? new Date(e.openUntil).toISOString() : null,
      lastOutcome: e.lastOutcome ?? null,
      lastReportAt: e.lastReportAt !== undefined ? new Date(e.lastReportAt).toISOString() : null,
    }));
  }

  private open(entry: Entry, now: number, forMs: number): void {
    entry.openUntil = now + forMs;
    entry.probeAt = undefined;
  }

  private entry(model: string, baseUrl: string): Entry {
    const k = key(model, baseUrl);
    let entry = this.entries.get(k);
    if (!entry) {
      entry = { model, baseUrl, consecutiveFailures: 0, openUntil: undefined, probeAt: undefined, lastOutcome: undefined, lastReportAt: undefined };
      this.entries.set(k, entry);
    }
    return entry;
  }
}

/** Each new latency report's share of the moving average. */
const LATENCY_WEIGHT = 0.2;

function key(model: string, baseUrl: string): string {
  return `${model.toLowerCase()}\u0000${baseUrl}`;
}

/** One target's identity (agents share model names; deployments share base URLs). */
export function targetKey(target: Pick<Target, 'model' | 'baseUrl'>): string {
  return key(target.model, target.baseUrl);
}

function stateOf(entry: Entry, now: number): TargetHealthState {
  if (entry.openUntil === undefined) return 'closed';
  return now < entry.openUntil ? 'open' : 'half-open';
}

/** A client error (400, 404, 413…) proves the upstream is up: it is not the target's failure. */
function isSuccess(event: AttemptReportedEvent): boolean {
  if (event.outcome === 'ok') return true;
  const s = event.status;
  return event.outcome === 'error' && s !== undefined && s >= 400 && s < 500 && s !== 408 && s !== 429;
}
