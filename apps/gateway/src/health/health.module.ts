import { Module, type DynamicModule } from '@nestjs/common';
import { HealthController, HEALTH_TIMEOUT_MS } from './health.controller';
import { ServicesHealth } from './services-health';

@Module({})
export class HealthModule {
  static register(timeoutMs: number): DynamicModule {
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [ServicesHealth, { provide: HEALTH_TIMEOUT_MS, useValue: timeoutMs }],
    };
  }
}
