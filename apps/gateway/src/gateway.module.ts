import { Module, type DynamicModule } from '@nestjs/common';
import { HealthModule } from './health/health.module';

export interface GatewayConfig {
  HEALTH_TIMEOUT_MS: number;
}

@Module({})
export class GatewayModule {
  static register(config: GatewayConfig): DynamicModule {
    return { module: GatewayModule, imports: [HealthModule.register(config.HEALTH_TIMEOUT_MS)] };
  }
}
