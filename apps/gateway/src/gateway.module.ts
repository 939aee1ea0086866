import { RegistryClient, RouterClient, type Bus } from '@iir/contracts';
import type { JsonLogger } from '@iir/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { hashKey, STATIC_KEY_HASHES, StaticKeysGuard } from './auth/static-keys.guard';
import { ChatController } from './chat/chat.controller';
import { ChatService } from './chat/chat.service';
import { CompletionsController } from './completions/completions.controller';
import { EXECUTION_SETTINGS, type ExecutionSettings } from './execution/execution-settings';
import { PlanExecutor } from './execution/plan-executor.service';
import type { GatewayConfig } from './gateway.service-definition';
import { REGISTRY_CLIENT, ROUTER_CLIENT } from './gateway.tokens';
import { HealthModule } from './health/health.module';
import { ModelsCatalog } from './models/models-catalog.service';
import { ModelsController } from './models/models.controller';
import { ProviderCatalog } from './providers/provider-catalog';

@Module({})
export class GatewayModule {
  static register(config: GatewayConfig, bus: Bus, logger: JsonLogger): DynamicModule {
    const keys = config.GATEWAY_API_KEYS.split(',').map((k) => k.trim()).filter(Boolean);
    if (keys.length === 0) logger.write('warn', 'GATEWAY_API_KEYS is empty: the gateway accepts requests without a key');
    const execution: ExecutionSettings = {
      connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
      firstByteTimeoutMs: config.UPSTREAM_FIRST_BYTE_TIMEOUT_MS,
      totalTimeoutMs: config.UPSTREAM_TOTAL_TIMEOUT_MS,
      retriesPerTarget: config.UPSTREAM_RETRIES,
      retryBackoffMs: config.UPSTREAM_RETRY_BACKOFF_MS,
      maxRetryWaitMs: config.UPSTREAM_MAX_RETRY_WAIT_MS,
    };
    return {
      module: GatewayModule,
      imports: [HealthModule.register(config.HEALTH_TIMEOUT_MS)],
      controllers: [ChatController, CompletionsController, ModelsController],
      providers: [
        { provide: ROUTER_CLIENT, useValue: new RouterClient(bus, config.ROUTER_TIMEOUT_MS) },
        { provide: REGISTRY_CLIENT, useValue: new RegistryClient(bus) },
        { provide: STATIC_KEY_HASHES, useValue: keys.map(hashKey) },
        { provide: EXECUTION_SETTINGS, useValue: execution },
        { provide: ProviderCatalog, useValue: new ProviderCatalog(providerKeys(config)) },
        StaticKeysGuard,
        PlanExecutor,
        ChatService,
        ModelsCatalog,
      ],
    };
  }
}

function providerKeys(config: GatewayConfig): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(config)) if (k.startsWith('EXTERNAL_')) out[k] = v as string | undefined;
  return out;
}
