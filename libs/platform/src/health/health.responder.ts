import { SUBJECTS, type Bus, type HealthCheckResponse, type Subscription } from '@iir/contracts';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { BUS, ServiceInfo } from '../nest/tokens';
import { HealthRegistry } from './health.registry';

/** Answers `<service>.health.check` on the bus, for the gateway's `/health`. */
@Injectable()
export class HealthResponder implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription: Subscription | undefined;

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    private readonly info: ServiceInfo,
    private readonly registry: HealthRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.bus.handle(SUBJECTS.health[this.info.name], () => this.report(), {
      queue: this.info.name,
    });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  async report(): Promise<HealthCheckResponse> {
    const { ok, checks } = await this.registry.check();
    return {
      service: this.info.name,
      version: this.info.version,
      instanceId: this.info.instanceId,
      uptimeSeconds: Math.round((Date.now() - this.info.startedAt) / 1000),
      status: ok ? 'ok' : 'degraded',
      checks,
    };
  }
}
