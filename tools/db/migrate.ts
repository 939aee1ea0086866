/**
 * `npm run migrate`: applies the pending TypeORM migrations of every service that has a database
 * (registry and auth) to `DATABASE_URL`, or to their SQLite files in `IIR_DATA_DIR`, then exits.
 * The services also migrate at start; this is for deploys that migrate first.
 *
 * Outside `apps/` for the same reason as the all-in-one launcher: it composes two apps' schemas.
 */
import 'reflect-metadata';
import { describeDatabase, migrateDatabase, type DatabaseSchema, type DatabaseSettings } from '@iir/persistence';
import { exitWith, loadConfig } from '@iir/platform';
import { authConfigShape, authDatabase } from '../../apps/auth/src/auth.config';
import { AUTH_SCHEMA } from '../../apps/auth/src/database/auth-schema';
import { REGISTRY_SCHEMA } from '../../apps/registry/src/database/data-source';
import { databaseSettings, registryConfigShape } from '../../apps/registry/src/registry.config';

async function main(): Promise<void> {
  const targets: Array<[DatabaseSettings, DatabaseSchema]> = [
    [databaseSettings(loadConfig(registryConfigShape)), REGISTRY_SCHEMA],
    [authDatabase(loadConfig(authConfigShape)), AUTH_SCHEMA],
  ];
  for (const [settings, schema] of targets) {
    const applied = await migrateDatabase(settings, schema);
    const what = applied.length ? `applied ${applied.join(', ')}` : 'up to date';
    process.stdout.write(`${schema.owner} (${describeDatabase(settings)}): ${what}\n`);
  }
}

main().catch((error: unknown) => exitWith('migrate', error));
