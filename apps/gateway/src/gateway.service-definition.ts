import { env, type ServiceDefinition } from '@iir/platform';
import { GatewayModule } from './gateway.module';

export const gatewayConfigShape = {
  GATEWAY_PORT: env.port(8000),
  HTTP_HOST: env.string('0.0.0.0'),
  /** How long `/health` waits for each service. */
  HEALTH_TIMEOUT_MS: env.int(1_000, 10),
  /** Largest request body accepted, in bytes (413 above it). */
  MAX_BODY_BYTES: env.int(4 * 1024 * 1024, 1024),
};

/** The gateway: the HTTP edge. */
export const gatewayService: ServiceDefinition<typeof gatewayConfigShape> = {
  name: 'gateway',
  configShape: gatewayConfigShape,
  http: (config) => ({ port: config.GATEWAY_PORT, host: config.HTTP_HOST, bodyLimit: config.MAX_BODY_BYTES }),
  module: ({ config }) => GatewayModule.register(config),
  healthEndpoint: false,
};
