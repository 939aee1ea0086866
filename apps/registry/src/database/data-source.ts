import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ModelEntity } from '../models/model.entity';
import { CreateModels1732262400000 } from './migrations/1732262400000-create-models.migration';
import { sqliteClient } from './sqlite-client';

export type DatabaseSettings = { type: 'sqlite'; file: string } | { type: 'postgres'; url: string };

/** Classes, not globs: the app ships as one esbuild bundle. New migrations are appended here. */
export const MIGRATIONS = [CreateModels1732262400000];
export const ENTITIES = [ModelEntity];

const CONNECT_TIMEOUT_MS = 5_000;

export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    logging: false,
  } as const;
  switch (settings.type) {
    case 'sqlite':
      return { ...common, type: 'expo', database: settings.file, driver: sqliteClient };
    case 'postgres':
      return {
        ...common,
        type: 'postgres',
        url: settings.url,
        applicationName: 'iir-registry',
        connectTimeoutMS: CONNECT_TIMEOUT_MS,
      };
  }
}

/** Opens the database and brings its schema up to date; the error names where it tried. */
export async function openDataSource(settings: DatabaseSettings): Promise<DataSource> {
  if (settings.type === 'sqlite') mkdirSync(path.dirname(settings.file), { recursive: true });
  const dataSource = new DataSource(dataSourceOptions(settings));
  try {
    await dataSource.initialize();
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    throw new Error(`cannot open the registry database (${describeDatabase(settings)}): ${(error as Error).message}`, {
      cause: error,
    });
  }
  return dataSource;
}

/** For logs and errors: the SQLite path, or the Postgres URL without its password. */
export function describeDatabase(settings: DatabaseSettings): string {
  if (settings.type === 'sqlite') return `sqlite ${settings.file}`;
  try {
    const url = new URL(settings.url);
    if (url.password) url.password = '***';
    return `postgres ${url.toString()}`;
  } catch {
    return 'postgres';
  }
}
