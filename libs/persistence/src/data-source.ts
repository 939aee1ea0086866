import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';
import { sqliteClient } from './sqlite-client';

/** SQLite by default (one file per service), Postgres when scaled out. */
export type DatabaseSettings = { type: 'sqlite'; file: string } | { type: 'postgres'; url: string };

/** What a service keeps in its database: classes, not globs (each app ships as one esbuild bundle). */
export interface DatabaseSchema {
  /** Names the database in errors and `application_name` (e.g. `registry`). */
  owner: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
}

const CONNECT_TIMEOUT_MS = 5_000;

export function dataSourceOptions(settings: DatabaseSettings, schema: DatabaseSchema): DataSourceOptions {
  const common = {
    entities: schema.entities,
    migrations: schema.migrations,
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
        applicationName: `iir-${schema.owner}`,
        connectTimeoutMS: CONNECT_TIMEOUT_MS,
      };
  }
}

/** Opens the database and brings its schema up to date; the error names where it tried. */
export async function openDatabase(settings: DatabaseSettings, schema: DatabaseSchema): Promise<DataSource> {
  if (settings.type === 'sqlite') mkdirSync(path.dirname(settings.file), { recursive: true });
  const dataSource = new DataSource(dataSourceOptions(settings, schema));
  try {
    await dataSource.initialize();
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    throw new Error(
      `cannot open the ${schema.owner} database (${describeDatabase(settings)}): ${(error as Error).message}`,
      { cause: error },
    );
  }
  return dataSource;
}

/**
 * Runs the pending migrations of one service's schema and closes the database: what `npm run
 * migrate` does ahead of a deploy. Answers the names of the migrations it applied.
 */
export async function migrateDatabase(settings: DatabaseSettings, schema: DatabaseSchema): Promise<string[]> {
  if (settings.type === 'sqlite') mkdirSync(path.dirname(settings.file), { recursive: true });
  const dataSource = new DataSource({ ...dataSourceOptions(settings, schema), migrationsRun: false } as DataSourceOptions);
  try {
    await dataSource.initialize();
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } catch (error) {
    throw new Error(`cannot migrate the ${schema.owner} database (${describeDatabase(settings)}): ${(error as Error).message}`, { cause: error });
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
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

/** `DATABASE_URL` when set, else `<dataDir>/<file>`. */
export function databaseSettingsFrom(databaseUrl: string | undefined, dataDir: string, file: string): DatabaseSettings {
  if (databaseUrl) return { type: 'postgres', url: databaseUrl };
  return { type: 'sqlite', file: path.resolve(dataDir, file) };
}
