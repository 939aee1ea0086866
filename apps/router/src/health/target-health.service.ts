import { RouterClient, type AttemptReportedEvent, type Bus, type Subscription } from '@iir/contracts';
import { BUS } from '@iir/platform';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { routerMetrics } from '../metrics/router-metrics';
import { TargetHealth, type CooldownSettings } from './target-health';

export const COOLDOWN_SETTINGS = Symbol('COOLDOWN_SETTINGS');

/**
 * Feeds the gateways' attempt reports (`gateway.attempt.reported`) into the circuit breakers. Every
 * router replica hears every report, so each holds the same view without sharing state.
 */
@Injectable()
export class TargetHealthService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly health: TargetHealth;
  private readonly router: RouterClient;
  private subscription: Subscription | undefined;
  private gaugeTimer: NodeJS.Timeout | undefined;
  private readonly metrics = routerMetrics();

  constructor(@Inject(BUS) bus: Bus, @Inject(COOLDOWN_SETTINGS) settings: CooldownSettings) {
    this.router = new RouterClient(bus);
    this.health = new TargetHealth(settings);
  }

  onApplicationBootstrap(): void {
    this.subscription = this.router.onAttemptReported((event) => {
      if (isReport(event)) {
        this.health.record(event);
        this.updateGauge();
      }
    });
    // Cooldowns also end with time, not only with reports.
    this.gaugeTimer = setInterval(() => this.updateGauge(), 1_000);
    this.gaugeTimer.unref();
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
    clearInterval(this.gaugeTimer);
  }

  private updateGauge(): void {
    this.metrics.targetsInCooldown.set(this.health.countNotClosed());
  }
}

function isReport(value: unknown): value is AttemptReportedEvent {
  const v = value as Partial<AttemptReportedEvent> | null;
  return typeof v?.model === 'string' && typeof v.baseUrl === 'string' && typeof v.outcome === 'string';
}
