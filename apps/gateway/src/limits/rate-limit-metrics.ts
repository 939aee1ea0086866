import { counter } from '@iir/platform';
import { Gauge, register } from 'prom-client';

const DEGRADED = 'iir_gateway_ratelimit_degraded';
const FALLBACK_CHECKS = 'iir_gateway_ratelimit_fallback_checks_total';
const REFUSALS = 'iir_gateway_ratelimit_refusals_total';

/**
 * Limiters whose state the degraded gauge reports. Several gateways can share one process (and
 * one registry): the gauge is 1 while ANY of them answers from memory. Weak, so a dropped limiter
 * stops counting.
 */
const watched = new Set<WeakRef<{ readonly degraded: boolean }>>();

export function watchDegraded(limiter: { readonly degraded: boolean }): void {
  watched.add(new WeakRef(limiter));
  if (register.getSingleMetric(DEGRADED)) return;
  new Gauge({
    name: DEGRADED,
    help: '1 while the rate limiter answers from per-replica memory because Redis is unavailable or not configured',
    collect() {
      let degraded = false;
      for (const ref of watched) {
        const limiter = ref.deref();
        if (!limiter) watched.delete(ref);
        else if (limiter.degraded) degraded = true;
      }
      this.set(degraded ? 1 : 0);
    },
  });
}

export function countFallbackCheck(): void {
  counter({ name: FALLBACK_CHECKS, help: 'Rate-limit checks answered from per-replica memory instead of Redis' }).inc();
}

export function countRefusal(limit: 'requests' | 'tokens' | 'provider_tokens'): void {
  counter({ name: REFUSALS, help: 'Requests refused by a rate limit', labelNames: ['limit'] }).inc({ limit });
}
