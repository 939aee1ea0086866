import { databaseSettingsFrom, type DatabaseSettings } from '@iir/persistence';
import { env } from '@iir/platform';
import type { z } from 'zod';

export const authConfigShape = {
  AUTH_PORT: env.port(8003),
  HTTP_HOST: env.string('0.0.0.0'),
  /** Where the SQLite file lives (created if missing). */
  IIR_DATA_DIR: env.string('./var'),
  /** Postgres instead of SQLite, e.g. postgres://user:pass@host:5432/iir. */
  DATABASE_URL: env.url(['postgres:', 'postgresql:']),
  /** How long the usage stream keeps records, in days (the ledger table keeps them for good). */
  USAGE_STREAM_MAX_AGE_DAYS: env.int(7, 1),
};

export type AuthConfig = z.infer<z.ZodObject<typeof authConfigShape>>;

export function authDatabase(config: AuthConfig): DatabaseSettings {
  return databaseSettingsFrom(config.DATABASE_URL, config.IIR_DATA_DIR, 'auth.sqlite');
}
