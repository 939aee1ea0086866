import { env, type ServiceDefinition } from '@iir/platform';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ClassifierModule } from './classifier.module';

/** Relative to the working directory: the repository root in development, /app in the image. */
export const DEFAULT_MODEL_PATH = 'apps/classifier/model/classifier-model.json';

const configShape = {
  CLASSIFIER_PORT: env.port(8004),
  HTTP_HOST: env.string('0.0.0.0'),
  /** The trained model (`npm run classifier:train` writes it). */
  CLASSIFIER_MODEL_PATH: env.custom(
    z
      .string()
      .default(DEFAULT_MODEL_PATH)
      .transform((p) => path.resolve(p))
      .refine((p) => existsSync(p), { message: 'must be the path of a classifier model file (npm run classifier:train writes one)' }),
  ),
};

/** The classifier service: its settings and root module. */
export const classifierService: ServiceDefinition<typeof configShape> = {
  name: 'classifier',
  configShape,
  http: (config) => ({ port: config.CLASSIFIER_PORT, host: config.HTTP_HOST }),
  module: ({ config }) => ClassifierModule.register({ modelPath: config.CLASSIFIER_MODEL_PATH }),
};
