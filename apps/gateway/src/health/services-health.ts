import { HealthClient, SERVICE_NAMES, type Bus, type ServiceHealth, type ServiceName } from '@iir/contracts';
import { BUS, ServiceInfo } from '@iir/platform';
import { Inject, Injectable } from '@nestjs/common';

/** Probes every service over the bus, in parallel. */
@Injectable()
export class ServicesHealth {
  private readonly client: HealthClient;

  constructor(
    @Inject(BUS) bus: Bus,
    private readonly info: ServiceInfo,
  ) {
    this.client = new HealthClient(bus);
  }

  async probeAll(timeoutMs: number): Promise<ServiceHealth[]> {
    const others = SERVICE_NAMES.filter((name) => name !== 'gateway');
    const self: ServiceHealth = {
      name: 'gateway',
      status: 'up',
      version: this.info.version,
      instanceId: this.info.instanceId,
      latencyMs: 0,
    };
    return [self, ...(await Promise.all(others.map((name) => this.probe(name, timeoutMs))))];
  }

  private async probe(name: ServiceName, timeoutMs: number): Promise<ServiceHealth> {
    const started = performance.now();
    try {
      const res = await this.client.check(name, timeoutMs);
      return {
        name,
        status: res.status === 'ok' ? 'up' : 'down',
        version: res.version,
        instanceId: res.instanceId,
        latencyMs: round(performance.now() - started),
        checks: res.checks,
      };
    } catch (error) {
      return { name, status: 'down', latencyMs: round(performance.now() - started), error: (error as Error).message };
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
