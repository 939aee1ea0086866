import { env, type ServiceDefinition } from '@iir/platform';
import { ClassifierModule } from './classifier.module';

const configShape = {
  CLASSIFIER_PORT: env.port(8004),
  HTTP_HOST: env.string('0.0.0.0'),
};

/** The classifier service: its settings and root module. */
export const classifierService: ServiceDefinition<typeof configShape> = {
  name: 'classifier',
  configShape,
  http: (config) => ({ port: config.CLASSIFIER_PORT, host: config.HTTP_HOST }),
  module: () => ClassifierModule.register(),
};
