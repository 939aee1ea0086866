import { env, type ServiceDefinition } from '@iir/platform';
import { RegistryModule } from './registry.module';

const configShape = {
  REGISTRY_PORT: env.port(8002),
  HTTP_HOST: env.string('0.0.0.0'),
};

/** The registry service: its settings and root module. */
export const registryService: ServiceDefinition<typeof configShape> = {
  name: 'registry',
  configShape,
  http: (config) => ({ port: config.REGISTRY_PORT, host: config.HTTP_HOST }),
  module: () => RegistryModule.register(),
};
