import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { requireService, TEST_POSTGRES_URL } from '@iir/testing';
import type { DataSource } from 'typeorm';
import { PostgresSchema } from '@iir/testing';
import { ModelEntity } from '../models/model.entity';
import { MIGRATIONS, openDataSource, type DatabaseSettings } from './data-source';

interface Backend {
  setUp(): Promise<DatabaseSettings>;
  tearDown(): Promise<void>;
}

const sqlite = (): Backend => {
  let dir = '';
  return {
    setUp: async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'registry-db-'));
      return { type: 'sqlite', file: path.join(dir, 'nested', 'registry.sqlite') };
    },
    tearDown: () => rm(dir, { recursive: true, force: true }),
  };
};

const postgres = (): Backend => {
  const schema = new PostgresSchema(TEST_POSTGRES_URL);
  return {
    setUp: async () => {
      await requireService('PostgreSQL', TEST_POSTGRES_URL);
      await schema.create();
      return { type: 'postgres', url: schema.url };
    },
    tearDown: () => schema.drop(),
  };
};

describe.each([
  ['SQLite', sqlite],
  ['Postgres', postgres],
])('registry database on %s', (_name, makeBackend) => {
  const backend = makeBackend();
  let settings: DatabaseSettings;
  const open: DataSource[] = [];
  const connect = async (): Promise<DataSource> => {
    const dataSource = await openDataSource(settings);
    open.push(dataSource);
    return dataSource;
  };

  beforeAll(async () => {
    settings = await backend.setUp();
  });
  afterAll(async () => {
    await Promise.all(open.filter((d) => d.isInitialized).map((d) => d.destroy()));
    await backend.tearDown();
  });

  it('migrations create the models table, matching the entity exactly', async () => {
    const dataSource = await connect();
    const runner = dataSource.createQueryRunner();
    try {
      const table = await runner.getTable('models');
      expect(table?.columns.map((c) => c.name).sort()).toEqual(
        [
          'aliases', 'base_url', 'context_window', 'created_at', 'enabled', 'fallbacks', 'kind', 'managed_by',
          'modalities', 'name', 'pricing', 'protocol', 'provider', 'updated_at', 'upstream_model',
        ].sort(),
      );
      expect(table?.primaryColumns.map((c) => c.name)).toEqual(['name']);
    } finally {
      await runner.release();
    }
    // What `synchronize` would do if it were on: nothing, so the migration and the entity agree.
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('stores and reads back a row with JSON, boolean and null columns', async () => {
    const repository = (await connect()).getRepository(ModelEntity);
    await repository.insert(row('x/round-trip'));
    expect(await repository.findOneByOrFail({ name: 'x/round-trip' })).toMatchObject({
      contextWindow: null,
      pricing: { promptPerMTok: 0.5, completionPerMTok: 1.5 },
      aliases: ['round-trip-alias'],
      enabled: false,
    });
  });

  it('reopening runs no migration twice and keeps the data', async () => {
    const first = await connect();
    await first.getRepository(ModelEntity).insert(row('x/kept'));
    await first.destroy();
    const second = await connect();
    expect(await second.query('SELECT name FROM migrations')).toHaveLength(MIGRATIONS.length);
    expect(await second.getRepository(ModelEntity).countBy({ name: 'x/kept' })).toBe(1);
  });
});

function row(name: string): ModelEntity {
  return Object.assign(new ModelEntity(), {
    name,
    provider: 'x',
    kind: 'hosted',
    protocol: 'openai',
    baseUrl: 'https://x.example/v1',
    upstreamModel: name.slice(2),
    contextWindow: null,
    pricing: { promptPerMTok: 0.5, completionPerMTok: 1.5 },
    aliases: [`${name.slice(2)}-alias`],
    fallbacks: [],
    enabled: false,
    managedBy: 'operator',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
  });
}

describe(openDataSource.name, () => {
  it('names the database it could not open, without the password', async () => {
    const error = await openDataSource({ type: 'postgres', url: 'postgres://postgres:hunter2@127.0.0.1:1/test' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^cannot open the registry database \(postgres postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test\): /);
    expect((error as Error).message).not.toContain('hunter2');
  });
});
