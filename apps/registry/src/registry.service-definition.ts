import type { ServiceDefinition } from '@iir/platform';
import { registryConfigShape } from './registry.config';
import { RegistryModule } from './registry.module';

/** The registry service: its settings and root module. */
export const registryService: ServiceDefinition<typeof registryConfigShape> = {
  name: 'registry',
  configShape: registryConfigShape,
  http: (config) => ({ port: config.REGISTRY_PORT, host: config.HTTP_HOST }),
  module: ({ config }) => RegistryModule.register(config),
};
