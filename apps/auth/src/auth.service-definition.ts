import type { ServiceDefinition } from '@iir/platform';
import { authConfigShape } from './auth.config';
import { AuthModule } from './auth.module';

/** The auth service: API keys and the usage ledger. */
export const authService: ServiceDefinition<typeof authConfigShape> = {
  name: 'auth',
  configShape: authConfigShape,
  http: (config) => ({ port: config.AUTH_PORT, host: config.HTTP_HOST }),
  module: ({ config }) => AuthModule.register(config),
};
