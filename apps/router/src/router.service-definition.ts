import { env, type ServiceDefinition } from '@iir/platform';
import { z } from 'zod';
import { RouterModule } from './router.module';

const configShape = {
  ROUTER_PORT: env.port(8001),
  HTTP_HOST: env.string('0.0.0.0'),
  /** Safety-net reload of the registry catalogue (changes also arrive as events at once). */
  ROUTER_CATALOG_REFRESH_MS: env.int(30_000, 100),
  /** How long gateways may reuse a plan of the direct policy (0 = ask the router every time). */
  ROUTER_PLAN_CACHE_TTL_MS: env.int(5_000, 0),
  /** How long `auto` waits for the classifier before planning on the default tiers. */
  ROUTER_CLASSIFIER_TIMEOUT_MS: env.int(250, 10),
  /** The routing policies file (relative to the working directory); no file = no policies. */
  ROUTING_CONFIG: z.string().trim().min(1, 'must be a file path').default('config/routing.yaml'),
  /** Safety-net check of the routing file for changes (fs.watch and SIGHUP reload at once). */
  ROUTING_CONFIG_POLL_MS: env.int(2_000, 50),
  /** Reload of the agents list: heartbeats change agents' load without an event. */
  ROUTER_AGENTS_REFRESH_MS: env.int(2_000, 50),
  /** Consecutive failed attempts that put a target in cooldown (one 429 always does). */
  ROUTER_COOLDOWN_FAILURES: env.int(3, 1),
  /** How long a target cools down before one probe request may try it (a 429's Retry-After wins). */
  ROUTER_COOLDOWN_MS: env.int(30_000, 1),
  /** Seeds the weighted policy's random picks, for reproducible tests. */
  ROUTER_RANDOM_SEED: z.coerce.number().int().optional(),
};

/** The router core: decides where each request goes. */
export const routerService: ServiceDefinition<typeof configShape> = {
  name: 'router',
  configShape,
  http: (config) => ({ port: config.ROUTER_PORT, host: config.HTTP_HOST }),
  module: ({ config }) =>
    RouterModule.register({
      catalogRefreshMs: config.ROUTER_CATALOG_REFRESH_MS,
      planCacheTtlMs: config.ROUTER_PLAN_CACHE_TTL_MS,
      agentsRefreshMs: config.ROUTER_AGENTS_REFRESH_MS,
      classifierTimeoutMs: config.ROUTER_CLASSIFIER_TIMEOUT_MS,
      routingConfig: { path: config.ROUTING_CONFIG, pollMs: config.ROUTING_CONFIG_POLL_MS },
      cooldown: { failures: config.ROUTER_COOLDOWN_FAILURES, cooldownMs: config.ROUTER_COOLDOWN_MS },
      ...(config.ROUTER_RANDOM_SEED !== undefined ? { randomSeed: config.ROUTER_RANDOM_SEED } : {}),
    }),
};
