import { env, type ServiceDefinition } from '@iir/platform';
import { RouterModule } from './router.module';

const configShape = {
  ROUTER_PORT: env.port(8001),
  HTTP_HOST: env.string('0.0.0.0'),
  /** Safety-net reload of the registry catalogue (changes also arrive as events at once). */
  ROUTER_CATALOG_REFRESH_MS: env.int(30_000, 100),
  /** How long gateways may reuse a plan of the direct policy (0 = ask the router every time). */
  ROUTER_PLAN_CACHE_TTL_MS: env.int(5_000, 0),
};

/** The router core: decides where each request goes. */
export const routerService: ServiceDefinition<typeof configShape> = {
  name: 'router',
  configShape,
  http: (config) => ({ port: config.ROUTER_PORT, host: config.HTTP_HOST }),
  module: ({ config }) =>
    RouterModule.register({ catalogRefreshMs: config.ROUTER_CATALOG_REFRESH_MS, planCacheTtlMs: config.ROUTER_PLAN_CACHE_TTL_MS }),
};
