import { requireService, TEST_POSTGRES_URL, waitFor } from '@iir/testing';
import { PostgresSchema } from '@iir/testing';
import { RegistryHarness, seedEntry, seedFile } from './registry-harness';

describe('registry service over NATS, on Postgres', () => {
  let h: RegistryHarness;
  let schema: PostgresSchema;

  beforeEach(async () => {
    await requireService('PostgreSQL', TEST_POSTGRES_URL);
    schema = new PostgresSchema(TEST_POSTGRES_URL);
    await schema.create();
    h = await new RegistryHarness().setUp();
    await h.writeSeed(
      seedFile(
        seedEntry({ name: 'openai/gpt-4o-mini', requires: ['EXTERNAL_OPENAI_KEY'], aliases: ['gpt-4o-mini'] }),
        seedEntry({ name: 'gemini/gemini-2.5-flash', requires: ['EXTERNAL_GEMINI_KEY'] }),
      ),
    );
  });
  afterEach(async () => {
    await h.tearDown();
    await schema.drop();
  });

  const env = (): Record<string, string> => ({ DATABASE_URL: schema.url, EXTERNAL_OPENAI_KEY: 'sk-test', AGENT_AUTH: 'off' });

  it('migrates, seeds and serves the catalogue from Postgres, in its own schema', async () => {
    await h.start(env());
    expect((await h.client.listModels()).models.map((m) => m.name)).toEqual(['openai/gpt-4o-mini']);
    expect((await h.client.getModel('gpt-4o-mini')).pricing).toEqual({ promptPerMTok: 0.5, completionPerMTok: 1.5 });
    await waitFor(() => h.changes.length > 0, { what: 'registry.models.changed' });
    const tables = await schema.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema.name],
    );
    expect(tables.map((t) => t.table_name)).toEqual(['agents', 'hardware_profiles', 'migrations', 'models']);
  });

  it('restarting keeps one row per model with its data intact', async () => {
    await h.start(env());
    const before = await h.client.listModels({ includeDisabled: true });
    await h.start(env());
    const after = await h.client.listModels({ includeDisabled: true });
    expect(after.models).toEqual(before.models);
    expect(after.version).toBeGreaterThan(before.version);
    const counts = await schema.query<{ name: string; n: string }>('SELECT name, COUNT(*) AS n FROM models GROUP BY name');
    expect(counts).toEqual([{ name: 'openai/gpt-4o-mini', n: '1' }]);
  });

  it('stores a hardware discovery in Postgres and serves it after a restart', async () => {
    await h.start(env());
    const first = await h.client.refreshHardware();
    await h.start(env());
    expect(await h.client.hardwareStatus()).toEqual(first);
    const rows = await schema.query<{ host: string }>('SELECT host FROM hardware_profiles');
    expect(rows).toEqual([{ host: first.hardware?.host }]);
  });

  it('creates an operator model that survives a restart on Postgres', async () => {
    await h.start(env());
    await h.client.createModel({ name: 'vllm/pg', kind: 'vllm', protocol: 'openai', baseUrl: 'http://gpu:8000/v1' });
    await h.start(env());
    expect((await h.client.getModel('vllm/pg')).baseUrl).toBe('http://gpu:8000/v1');
    const managed = await schema.query<{ managed_by: string }>("SELECT managed_by FROM models WHERE name = 'vllm/pg'");
    expect(managed).toEqual([{ managed_by: 'operator' }]);
  });

  it('GET /health reports the Postgres database up', async () => {
    await h.start(env());
    const body = (await (await fetch(`${h.baseUrl}/health`)).json()) as { info: Record<string, { status: string }> };
    expect(body.info['database']?.status).toBe('up');
  });

  it('upserts agent registrations: one row per agent, the first registration time kept', async () => {
    await h.start(env());
    const agent = { agentId: 'mac-1', models: ['local/llama-3-8b-instruct'], hardware: { cores: 8 }, maxConcurrency: 1, version: '0.1.0' };
    const first = await h.client.registerAgent(agent);
    const again = await h.client.registerAgent({ ...agent, models: ['local/qwen-2.5-7b'], version: '0.2.0' });
    expect(again).toMatchObject({ registeredAt: first.registeredAt, models: ['local/qwen-2.5-7b'], version: '0.2.0' });
    const rows = await schema.query<{ agent_id: string; models: string; registered_at: string }>('SELECT agent_id, models, registered_at FROM agents');
    expect(rows).toEqual([{ agent_id: 'mac-1', models: '["local/qwen-2.5-7b"]', registered_at: first.registeredAt }]);
  });
});
