import type { PlanRequest, PlanResponse, RoutePin } from '@iir/contracts';

const MAX_ENTRIES = 10_000;

/**
 * Plans the router marked reusable (`cacheTtlMs`), kept per request shape so a steady stream of
 * requests for one model costs no bus hop. Cleared whenever the registry changes.
 */
export class PlanCache {
  private readonly entries = new Map<string, { plan: PlanResponse; expires: number }>();
  /** Bumped by clear(): a plan asked for before a registry change must not be kept after it. */
  generation = 0;

  /**
   * The request shape, its pin and its provider preferences: a plan made without `local-only` (or
   * without `provider.only`) must never serve a request with it.
   */
  key(request: Pick<PlanRequest, 'model' | 'models'>, pin?: RoutePin, provider?: unknown): string {
    const shape = request.models?.length ? `${request.model}\u0000${request.models.join('\u0000')}` : request.model;
    const keyed = provider === undefined || provider === null ? shape : `${shape}\u0002${JSON.stringify(provider)}`;
    return pin ? `${pin}\u0001${keyed}` : keyed;
  }

  get(key: string, now = Date.now()): PlanResponse | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.plan;
  }

  set(key: string, plan: PlanResponse, askedAt: number, now = Date.now()): void {
    if (!plan.cacheTtlMs || plan.cacheTtlMs <= 0 || askedAt !== this.generation) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { plan, expires: now + plan.cacheTtlMs });
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
