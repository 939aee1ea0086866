/**
 * `npm run seed`: applies the seed file (`REGISTRY_SEED_FILE`, default `config/models.yaml`) to the
 * registry database, with the same rules as the registry's own seeding at start: seed rows follow
 * the file, operator rows are never touched, nothing is deleted. A running registry serves the
 * result after its next start; to change models live, use `iir models` or `/v1/registry/models`.
 */
import 'reflect-metadata';
import { exitWith, JsonLogger, loadConfig } from '@iir/platform';
import { openDataSource } from '../../apps/registry/src/database/data-source';
import { ModelsRepository } from '../../apps/registry/src/models/models.repository';
import { databaseSettings, registryConfigShape, seedOptions } from '../../apps/registry/src/registry.config';
import { Seeder } from '../../apps/registry/src/seed/seeder';

async function main(): Promise<void> {
  const config = loadConfig(registryConfigShape);
  const dataSource = await openDataSource(databaseSettings(config));
  try {
    const options = { ...seedOptions(config), optional: false };
    const summary = await new Seeder(options, new ModelsRepository(dataSource), new JsonLogger('seed', 'warn')).run();
    process.stdout.write(
      `seeded ${options.file}: ${summary.inserted} inserted, ${summary.updated} updated, ${summary.disabled} disabled, ${summary.skipped} waiting for their variables\n`,
    );
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => exitWith('seed', error));
