import { env, type ServiceDefinition } from '@iir/platform';
import { z } from 'zod';
import { OpenAIExceptionFilter } from './errors/openai-exception.filter';
import { GatewayModule } from './gateway.module';

const optional = () => z.string().optional();

export const gatewayConfigShape = {
  GATEWAY_PORT: env.port(8000),
  HTTP_HOST: env.string('0.0.0.0'),
  /** How long `/health` waits for each service. */
  HEALTH_TIMEOUT_MS: env.int(1_000, 10),
  /** Largest request body accepted, in bytes (413 above it). */
  MAX_BODY_BYTES: env.int(4 * 1024 * 1024, 1024),
  /** Comma-separated gateway keys; empty = open gateway (a warning is logged). */
  GATEWAY_API_KEYS: env.string(''),
  ROUTER_TIMEOUT_MS: env.int(2_000, 10),
  UPSTREAM_CONNECT_TIMEOUT_MS: env.int(5_000, 10),
  UPSTREAM_FIRST_BYTE_TIMEOUT_MS: env.int(60_000, 10),
  UPSTREAM_TOTAL_TIMEOUT_MS: env.int(600_000, 10),
  UPSTREAM_RETRIES: env.int(1, 0),
  UPSTREAM_RETRY_BACKOFF_MS: env.int(100, 0),
  UPSTREAM_MAX_RETRY_WAIT_MS: env.int(2_000, 0),
  EXTERNAL_OPENAI_KEY: optional(),
  EXTERNAL_ANTHROPIC_KEY: optional(),
  EXTERNAL_OPENROUTER_KEY: optional(),
  EXTERNAL_DEEPSEEK_KEY: optional(),
  EXTERNAL_GEMINI_KEY: optional(),
  EXTERNAL_VLLM_KEY: optional(),
  EXTERNAL_LLMD_KEY: optional(),
};

export type GatewayConfig = z.infer<z.ZodObject<typeof gatewayConfigShape>>;

/** The gateway: the HTTP edge. */
export const gatewayService: ServiceDefinition<typeof gatewayConfigShape> = {
  name: 'gateway',
  configShape: gatewayConfigShape,
  http: (config) => ({ port: config.GATEWAY_PORT, host: config.HTTP_HOST, bodyLimit: config.MAX_BODY_BYTES }),
  module: ({ config, bus, logger }) => GatewayModule.register(config, bus, logger),
  healthEndpoint: false,
  configure: (app, { logger }) => {
    app.useGlobalFilters(new OpenAIExceptionFilter(logger));
  },
};
