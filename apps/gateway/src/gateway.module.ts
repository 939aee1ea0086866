import { AuthClient, RegistryClient, RouterClient, type Bus } from '@iir/contracts';
import type { JsonLogger } from '@iir/platform';
import { Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit, Inject } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AgentsController } from './agents/agents.controller';
import { AgentsDirectory } from './agents/agents-directory.service';
import { AdminGuard } from './auth/admin.guard';
import { CACHE_SETTINGS, type CacheSettings } from './cache/cache-settings';
import { MemoryCacheStore } from './cache/memory-cache-store';
import { RedisCacheStore, watchCacheRedis } from './cache/redis-cache-store';
import { ResponseCache } from './cache/response-cache';
import { ApiKeyGuard } from './auth/api-key.guard';
import { AUTH_SETTINGS, type AuthSettings } from './auth/auth-settings';
import { KeyVerifier } from './auth/key-verifier';
import { sha256 } from './auth/presented-key';
import { RegistrationGuard } from './auth/registration.guard';
import { NetworkSet } from './auth/trusted-network';
import { ChatController } from './chat/chat.controller';
import { CacheStep } from './chat/cache-step';
import { ChatService } from './chat/chat.service';
import { JsonResponder } from './chat/json-responder';
import { KeyAccess } from './chat/key-access';
import { LimitsStep } from './chat/limits-step';
import { Planner } from './chat/planner';
import { StreamResponder } from './chat/stream-responder';
import { CompletionsController } from './completions/completions.controller';
import { EXECUTION_SETTINGS, type ExecutionSettings } from './execution/execution-settings';
import { PlanExecutor } from './execution/plan-executor.service';
import type { GatewayConfig } from './gateway.service-definition';
import { AUTH_CLIENT, REGISTRY_CLIENT, ROUTER_CLIENT } from './gateway.tokens';
import { HealthModule } from './health/health.module';
import { ApiKeysController } from './keys/api-keys.controller';
import { StatsController } from './keys/stats.controller';
import { providerTpmLimits } from './limits/provider-tpm';
import { RateLimiter } from './limits/rate-limiter';
import { createRedis, redisReady } from './redis/redis-connection';
import { REQUEST_LIMITS, RequestLimits } from './limits/request-limits';
import { ModelsCatalog } from './models/models-catalog.service';
import { EmbeddingsController } from './embeddings/embeddings.controller';
import { MessagesController } from './messages/messages.controller';
import { TokenCounter } from './messages/token-counter';
import { ModelsController } from './models/models.controller';
import { OpenRouterController } from './openrouter/openrouter.controller';
import { AgentAdapter } from './providers/agent/agent.adapter';
import { ProviderCatalog } from './providers/provider-catalog';
import { RoutingController } from './routing/routing.controller';
import { RequestLog } from './observability/request-log';
import { REQUEST_LOG, RequestObserver } from './observability/request-observer';
import { RegistryAdminController } from './registry-admin/registry-admin.controller';
import { UsageRecorder } from './usage/usage-recorder';

const REDIS = Symbol('REDIS');
const REDIS_STARTUP_WAIT_MS = 2_000;

@Module({})
export class GatewayModule implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis | undefined) {}

  /**
   * Before the gateway listens, its Redis connection gets a moment to come up (at most 2 s):
   * commands fail fast rather than queue, so a request that arrived while
   * it was still connecting would bypass the cache and count its limits in memory only. A Redis
   * that is down does not hold the start longer than that; the connection keeps trying after.
   */
  async onModuleInit(): Promise<void> {
    if (this.redis) await redisReady(this.redis, REDIS_STARTUP_WAIT_MS).catch(() => undefined);
  }

  static register(config: GatewayConfig, bus: Bus, logger: JsonLogger): DynamicModule {
    const auth = authSettings(config);
    if (auth.mode === 'open') {
      logger.write('warn', 'the gateway is open: requests without a key are served (set IIR_ADMIN_KEY or GATEWAY_AUTH=required)');
    }
    const execution: ExecutionSettings = {
      connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
      firstByteTimeoutMs: config.UPSTREAM_FIRST_BYTE_TIMEOUT_MS,
      idleTimeoutMs: config.UPSTREAM_IDLE_TIMEOUT_MS,
      totalTimeoutMs: config.UPSTREAM_TOTAL_TIMEOUT_MS,
      retriesPerTarget: config.UPSTREAM_RETRIES,
      retryBackoffMs: config.UPSTREAM_RETRY_BACKOFF_MS,
      maxRetryWaitMs: config.UPSTREAM_MAX_RETRY_WAIT_MS,
      sseKeepAliveMs: config.SSE_KEEPALIVE_MS,
    };
    const redis = config.REDIS_URL ? createRedis(config.REDIS_URL, logger) : undefined;
    const limiter = new RateLimiter(redis, { logger, windowMs: config.RATE_LIMIT_WINDOW_MS });
    // One connection: rate limits and the cache both fail fast and share it.
    if (redis && config.REDIS_URL && config.CACHE_TTL > 0) watchCacheRedis(redis, config.REDIS_URL, logger);
    const cacheStore = redis
      ? new RedisCacheStore(redis)
      : new MemoryCacheStore({ maxEntries: config.CACHE_MAX_ENTRIES, maxBytes: config.CACHE_MAX_BYTES });
    const cacheSettings: CacheSettings = {
      policy: { enabled: config.CACHE_TTL > 0, mode: config.CACHE_MODE === 'opt-in' ? 'opt-in' : 'deterministic' },
      maxStreamBytes: 1024 * 1024,
    };
    return {
      module: GatewayModule,
      imports: [HealthModule.register(config.HEALTH_TIMEOUT_MS)],
      controllers: [ChatController, MessagesController, EmbeddingsController, CompletionsController, ModelsController, ApiKeysController, StatsController, RegistryAdminController, RoutingController, AgentsController, OpenRouterController],
      providers: [
        { provide: ROUTER_CLIENT, useValue: new RouterClient(bus, config.ROUTER_TIMEOUT_MS) },
        { provide: REGISTRY_CLIENT, useValue: new RegistryClient(bus) },
        { provide: AUTH_CLIENT, useValue: new AuthClient(bus, config.AUTH_TIMEOUT_MS) },
        { provide: AUTH_SETTINGS, useValue: auth },
        { provide: EXECUTION_SETTINGS, useValue: execution },
        { provide: ProviderCatalog, useValue: new ProviderCatalog(providerKeys(config), { adapters: [new AgentAdapter(bus)] }) },
        { provide: REDIS, useValue: redis },
        { provide: ResponseCache, useValue: new ResponseCache(cacheStore, { ttlSeconds: config.CACHE_TTL, logger, hotEntries: redis ? 1_000 : 0 }) },
        { provide: CACHE_SETTINGS, useValue: cacheSettings },
        { provide: REQUEST_LIMITS, useValue: new RequestLimits(limiter, providerTpmLimits(config)) },
        KeyVerifier,
        ApiKeyGuard,
        AdminGuard,
        RegistrationGuard,
        UsageRecorder,
        RequestObserver,
        { provide: REQUEST_LOG, useValue: new RequestLog(logger, { stdout: config.REQUEST_LOG, file: config.REQUEST_LOG_FILE }) },
        PlanExecutor,
        KeyAccess,
        LimitsStep,
        CacheStep,
        Planner,
        JsonResponder,
        StreamResponder,
        ChatService,
        TokenCounter,
        ModelsCatalog,
        AgentsDirectory,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    // disconnect, not quit: quit waits for a connection that may never come (Redis down).
    this.redis?.disconnect();
  }
}

function authSettings(config: GatewayConfig): AuthSettings {
  const staticKeys = config.GATEWAY_API_KEYS.split(',').map((k) => k.trim()).filter(Boolean);
  const mode: AuthSettings['mode'] =
    config.GATEWAY_AUTH === 'auto' ? (config.IIR_ADMIN_KEY || staticKeys.length > 0 ? 'required' : 'open') : config.GATEWAY_AUTH === 'required' ? 'required' : 'open';
  return {
    mode,
    adminKeyHash: config.IIR_ADMIN_KEY ? sha256(config.IIR_ADMIN_KEY) : undefined,
    staticKeyHashes: staticKeys.map(sha256),
    cacheTtlMs: config.AUTH_CACHE_TTL_MS,
    staleTtlMs: config.AUTH_STALE_TTL_MS,
    trustedNetworks: new NetworkSet(config.TRUSTED_NETWORKS),
    trustedProxies: new NetworkSet(config.TRUSTED_PROXIES),
    registration: {
      keyless: config.KEYLESS_REGISTRATION,
      maxPriority: config.REGISTRATION_MAX_PRIORITY,
      maxRpm: config.REGISTRATION_MAX_RPM || null,
      maxTpm: config.REGISTRATION_MAX_TPM || null,
      allowedModels: config.REGISTRATION_ALLOWED_MODELS.split(',').map((m) => m.trim()).filter(Boolean),
    },
  };
}

function providerKeys(config: GatewayConfig): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(config)) if (k.startsWith('EXTERNAL_')) out[k] = v as string | undefined;
  return out;
}
