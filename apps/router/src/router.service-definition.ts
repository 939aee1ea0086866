import { env, type ServiceDefinition } from '@iir/platform';
import { RouterModule } from './router.module';

const configShape = {
  ROUTER_PORT: env.port(8001),
  HTTP_HOST: env.string('0.0.0.0'),
};

/** The router service: its settings and root module. */
export const routerService: ServiceDefinition<typeof configShape> = {
  name: 'router',
  configShape,
  http: (config) => ({ port: config.ROUTER_PORT, host: config.HTTP_HOST }),
  module: () => RouterModule.register(),
};
