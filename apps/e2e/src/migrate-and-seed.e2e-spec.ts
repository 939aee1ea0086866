import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PostgresSchema, REPO_ROOT, requireService, TEST_POSTGRES_URL } from '@iir/testing';

const run = async (tool: 'migrate' | 'seed', env: Record<string, string>): Promise<string> => {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(REPO_ROOT, `dist/apps/${tool}/main.js`)], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    cwd: REPO_ROOT,
    timeout: 20_000,
  });
  return stdout;
};

/** `npm run migrate` and `npm run seed`, as the built entry points. */
describe('the migrate and seed tools', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'iir-migrate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates the registry and auth SQLite files once, then reports them up to date', async () => {
    const first = await run('migrate', { IIR_DATA_DIR: dir });
    expect(first).toMatch(/^registry \(sqlite .*registry\.sqlite\): applied CreateModels\d+, CreateAgents\d+, CreateHardwareProfiles\d+, AddAgentInstanceToken\d+, AddAgentUrl\d+, AddModelModalities\d+$/m);
    expect(first).toMatch(/^auth \(sqlite .*auth\.sqlite\): applied CreateKeysAndUsage\d+, UsageRoutingReceipt\d+, UsageClientRequestId\d+, UsageRoutePin\d+, AgentKeys\d+$/m);
    const second = await run('migrate', { IIR_DATA_DIR: dir });
    expect(second).toMatch(/^registry .*: up to date$/m);
    expect(second).toMatch(/^auth .*: up to date$/m);
  });

  it('migrates Postgres through DATABASE_URL', async () => {
    await requireService('PostgreSQL', TEST_POSTGRES_URL);
    const schema = new PostgresSchema(TEST_POSTGRES_URL);
    await schema.create();
    try {
      await run('migrate', { DATABASE_URL: schema.url, IIR_DATA_DIR: dir });
      const tables = await schema.query<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schema.name],
      );
      expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['api_keys', 'hardware_profiles', 'migrations', 'models']));
      expect(await run('migrate', { DATABASE_URL: schema.url, IIR_DATA_DIR: dir })).not.toContain('applied');
    } finally {
      await schema.drop();
    }
  });

  it('applies a seed file to the registry database', async () => {
    const seed = path.join(dir, 'models.yaml');
    writeFileSync(seed, 'models:\n  - { name: fake/one, provider: fake, kind: vllm, protocol: openai, upstream_model: one, base_url: "http://x:1/v1" }\n');
    expect(await run('seed', { IIR_DATA_DIR: dir, REGISTRY_SEED_FILE: seed })).toContain('1 inserted');
    expect(await run('seed', { IIR_DATA_DIR: dir, REGISTRY_SEED_FILE: seed })).toContain('0 inserted, 0 updated');
  });
});
