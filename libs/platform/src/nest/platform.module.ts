import type { Bus } from '@iir/contracts';
import { TypedBus } from '@iir/contracts';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { HealthController } from '../health/health.controller';
import { HealthRegistry } from '../health/health.registry';
import { HealthResponder } from '../health/health.responder';
import { JsonLogger } from '../logging/json-logger';
import { BUS, CONFIG, ServiceInfo } from './tokens';

export interface PlatformModuleOptions {
  info: ServiceInfo;
  bus: Bus;
  config: object;
  logger: JsonLogger;
  /** Serve the standard `GET /health`; the gateway serves its own aggregate instead. */
  healthEndpoint?: boolean;
}

/**
 * What every service gets: its bus, config, logger and identity as providers, the bus health probe,
 * `GET /health` and `GET /metrics`. Imported once, by the app's root module.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformModuleOptions): DynamicModule {
    const providers = [
      { provide: BUS, useValue: options.bus },
      { provide: TypedBus, useValue: new TypedBus(options.bus) },
      { provide: CONFIG, useValue: options.config },
      { provide: ServiceInfo, useValue: options.info },
      { provide: JsonLogger, useValue: options.logger },
      HealthRegistry,
      HealthResponder,
    ];
    return {
      module: PlatformModule,
      imports: [
        TerminusModule.forRoot({ logger: false }),
        PrometheusModule.register({ defaultMetrics: { enabled: false }, path: '/metrics' }),
      ],
      controllers: options.healthEndpoint === false ? [] : [HealthController],
      providers,
      exports: [BUS, TypedBus, CONFIG, ServiceInfo, JsonLogger, HealthRegistry, HealthResponder, TerminusModule],
    };
  }
}
