import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { ServiceInfo } from '../nest/tokens';
import { HealthRegistry } from './health.registry';

/** `GET /health` of a service: itself and its dependencies. 503 when a critical one is down. */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: HealthRegistry,
    private readonly info: ServiceInfo,
  ) {}

  @Get('health')
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.indicators.check(this.info.name).up({ version: this.info.version, instanceId: this.info.instanceId }),
      ...this.registry.list().map((c) => async () => {
        const indicator = this.indicators.check(c.name);
        const up = await c.isUp().catch(() => false);
        return up || !c.critical ? indicator.up({ up }) : indicator.down();
      }),
    ]);
  }
}
