import path from 'node:path';
import { BusError } from '@iir/contracts';
import { ConfigError } from '@iir/platform';
import { waitFor } from '@iir/testing';
import { DataSource } from 'typeorm';
import { openDataSource } from '../src/database/data-source';
import { ModelEntity } from '../src/models/model.entity';
import { RegistryHarness, seedEntry, seedFile } from './registry-harness';

const CATALOGUE = seedFile(
  seedEntry({
    name: 'openai/gpt-4o-mini',
    requires: ['EXTERNAL_OPENAI_KEY'],
    aliases: ['gpt-4o-mini'],
    baseUrl: '${EXTERNAL_OPENAI_BASE_URL:-https://api.openai.com/v1}',
  }),
  seedEntry({ name: 'anthropic/claude-sonnet-4', requires: ['EXTERNAL_ANTHROPIC_KEY'], aliases: ['claude-sonnet-4'] }),
  seedEntry({ name: 'local/always', aliases: ['always'] }),
);
const WITH_OPENAI = { EXTERNAL_OPENAI_KEY: 'sk-test' };

describe('registry service over NATS, on SQLite', () => {
  let h: RegistryHarness;

  beforeEach(async () => {
    h = await new RegistryHarness().setUp();
    await h.writeSeed(CATALOGUE);
  });
  afterEach(() => h.tearDown());

  const rows = async (): Promise<ModelEntity[]> => {
    const db = await openDataSource({ type: 'sqlite', file: path.join(h.dir, 'data', 'registry.sqlite') });
    try {
      return await db.getRepository(ModelEntity).find({ order: { name: 'ASC' } });
    } finally {
      await db.destroy();
    }
  };

  it('offers the seeded models whose required variables are set, and registers none of the others', async () => {
    await h.start(WITH_OPENAI);
    const { models } = await h.client.listModels();
    expect(models.map((m) => m.name)).toEqual(['local/always', 'openai/gpt-4o-mini']);
    expect((await h.client.listModels({ includeDisabled: true })).models).toHaveLength(2);
    expect(models.find((m) => m.name === 'openai/gpt-4o-mini')).toEqual({
      name: 'openai/gpt-4o-mini',
      provider: 'openai',
      kind: 'hosted',
      protocol: 'openai',
      baseUrl: 'https://api.openai.com/v1',
      upstreamModel: 'gpt-4o-mini',
      contextWindow: 8192,
      pricing: { promptPerMTok: 0.5, completionPerMTok: 1.5 },
      modalities: null,
      aliases: ['gpt-4o-mini'],
      fallbacks: [],
      enabled: true,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('answers get by name or alias, and model_not_found for a name it does not know', async () => {
    await h.start({ ...WITH_OPENAI, EXTERNAL_OPENAI_BASE_URL: 'http://proxy.internal/v1' });
    expect(await h.client.getModel('openai/gpt-4o-mini')).toMatchObject({ baseUrl: 'http://proxy.internal/v1' });
    expect((await h.client.getModel('gpt-4o-mini')).name).toBe('openai/gpt-4o-mini');
    const error = await h.client.getModel('nobody/nothing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusError);
    expect(error).toMatchObject({ code: 'model_not_found', message: expect.stringContaining('nobody/nothing') });
    await expect(h.client.getModel('claude-sonnet-4')).rejects.toMatchObject({ code: 'model_not_found' });
  });

  it('publishes registry.models.changed at boot, with the version list reports', async () => {
    await h.start(WITH_OPENAI);
    await waitFor(() => h.changes.length > 0, { what: 'registry.models.changed' });
    const [event] = h.changes;
    const { version } = await h.client.listModels();
    expect(event).toEqual({ version, reason: expect.stringContaining('seeded') });
  });

  it('restarting on the same seed keeps one row per model, untouched, and raises the version', async () => {
    await h.start(WITH_OPENAI);
    const before = await h.client.listModels({ includeDisabled: true });
    await h.stop();
    const rowsBetween = await rows();
    await h.start(WITH_OPENAI);
    const after = await h.client.listModels({ includeDisabled: true });
    expect(after.models).toEqual(before.models);
    expect(after.version).toBeGreaterThan(before.version);
    await h.stop();
    expect(await rows()).toEqual(rowsBetween);
    expect((await rows()).map((r) => r.name)).toEqual(['local/always', 'openai/gpt-4o-mini']);
  });

  it('disables a seeded model once its key is unset and offers it again when the key is back', async () => {
    await h.start(WITH_OPENAI);
    await h.start({});
    expect((await h.client.listModels()).models.map((m) => m.name)).toEqual(['local/always']);
    const hidden = (await h.client.listModels({ includeDisabled: true })).models.find((m) => m.name === 'openai/gpt-4o-mini');
    expect(hidden?.enabled).toBe(false);
    await expect(h.client.getModel('gpt-4o-mini')).rejects.toMatchObject({ code: 'model_not_found' });
    await h.start(WITH_OPENAI);
    expect((await h.client.getModel('gpt-4o-mini')).enabled).toBe(true);
  });

  it('leaves a row an operator took over as the operator left it', async () => {
    await h.start(WITH_OPENAI);
    await h.stop();
    const db = await openDataSource({ type: 'sqlite', file: path.join(h.dir, 'data', 'registry.sqlite') });
    await db.getRepository(ModelEntity).update({ name: 'local/always' }, { managedBy: 'operator', baseUrl: 'http://mine/v1' });
    await db.destroy();
    await h.writeSeed(seedFile(seedEntry({ name: 'local/always', aliases: ['always'], baseUrl: 'https://changed.example/v1' })));
    await h.start(WITH_OPENAI);
    expect((await h.client.getModel('local/always')).baseUrl).toBe('http://mine/v1');
    // Dropped from the file: a seed row is disabled, not deleted.
    expect((await h.client.listModels({ includeDisabled: true })).models.map((m) => [m.name, m.enabled])).toEqual([
      ['local/always', true],
      ['openai/gpt-4o-mini', false],
    ]);
  });

  it('GET /health reports the database up', async () => {
    await h.start();
    const res = await fetch(`${h.baseUrl}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; info: Record<string, { status: string }> };
    expect(body.status).toBe('ok');
    expect(body.info['database']?.status).toBe('up');
  });

  it('closes the database when it shuts down', async () => {
    const service = await h.start();
    const db = service.app.get(DataSource);
    expect(db.isInitialized).toBe(true);
    await h.stop();
    expect(db.isInitialized).toBe(false);
  });

  it('refuses to start on an invalid seed file, naming REGISTRY_SEED_FILE and the entry', async () => {
    await h.writeSeed(seedFile(seedEntry({ name: 'local/typo', requires: ['EXTERNAL_OPENAI_KYE'] })));
    const error = await h.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/REGISTRY_SEED_FILE: .*local\/typo: unknown variable EXTERNAL_OPENAI_KYE/);
  });

  it('refuses to start when a named seed file does not exist', async () => {
    const missing = path.join(h.dir, 'nope.yaml');
    await expect(h.start({ REGISTRY_SEED_FILE: missing })).rejects.toThrow(`REGISTRY_SEED_FILE: ${missing} does not exist`);
  });

  it('refuses to start on a DATABASE_URL that is not Postgres, naming the variable', async () => {
    await expect(h.start({ DATABASE_URL: 'mysql://db/iir' })).rejects.toThrow(/DATABASE_URL: must be a URL starting with postgres:/);
  });
});
