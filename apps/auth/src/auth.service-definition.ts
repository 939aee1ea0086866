import { env, type ServiceDefinition } from '@iir/platform';
import { AuthModule } from './auth.module';

const configShape = {
  AUTH_PORT: env.port(8003),
  HTTP_HOST: env.string('0.0.0.0'),
};

/** The auth service: its settings and root module. */
export const authService: ServiceDefinition<typeof configShape> = {
  name: 'auth',
  configShape,
  http: (config) => ({ port: config.AUTH_PORT, host: config.HTTP_HOST }),
  module: () => AuthModule.register(),
};
