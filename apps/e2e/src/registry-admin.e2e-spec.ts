import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { FakeOpenAIServer, REPO_ROOT, requireService, ServiceProcesses, TEST_NATS_URL, waitFor } from '@iir/testing';
import OpenAI from 'openai';
import { E2eWorkspace, startOverNats, type Started } from './support/e2e-stack';

const ADMIN_KEY = 'iir-admin-e2e-registry-admin-0123456789abcdef';

/**
 * Registry administration with every service in its own process: the iir CLI adds a model that
 * points at a fake OpenAI upstream, and the openai SDK gets an answer from it within a second,
 * with no restart; removing it makes it a 404 again. Plus the admin guard and hardware discovery.
 */
describe('registry administration (separate processes over NATS)', () => {
  const procs = new ServiceProcesses();
  const upstream = new FakeOpenAIServer();
  let ws: E2eWorkspace;
  let gateway: Started;

  const url = (p: string): string => `http://127.0.0.1:${gateway.port}${p}`;
  const sdk = (): OpenAI => new OpenAI({ baseURL: url('/v1'), apiKey: ADMIN_KEY, maxRetries: 0 });
  const ask = (model: string) => sdk().chat.completions.create({ model, messages: [{ role: 'user', content: 'hello' }] });
  const iir = async (...args: string[]): Promise<string> => {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'dist/apps/cli/main.js'), '--url', url(''), ...args], {
      env: { PATH: process.env['PATH'] ?? '', IIR_ADMIN_KEY: ADMIN_KEY },
      timeout: 15_000,
    });
    return stdout;
  };
  const admin = { authorization: `Bearer ${ADMIN_KEY}` };

  beforeAll(async () => {
    await requireService('NATS', TEST_NATS_URL);
    await upstream.start();
    ws = new E2eWorkspace('regadmin');
    await Promise.all((['registry', 'router', 'auth'] as const).map((app) => startOverNats(procs, ws, app)));
    const proc = procs.spawn('gateway', { env: ws.natsEnv({ IIR_ADMIN_KEY: ADMIN_KEY, UPSTREAM_RETRY_BACKOFF_MS: '1' }) });
    gateway = { process: proc, port: await proc.waitForReady('gateway') };
    // The router is up and has the (empty) catalogue once an unknown model is a 404.
    await waitFor(async () => (await ask('nobody/nothing').catch((e: unknown) => e)) instanceof OpenAI.NotFoundError, {
      timeoutMs: 15_000,
      what: 'the stack to answer',
    });
  }, 90_000);

  afterAll(async () => {
    await procs.killAll();
    await upstream.close();
    ws?.dispose();
  });

  it('routes a model added with the CLI within a second, and 404s it once removed', async () => {
    const before = await ask('fake/live').catch((e: unknown) => e);
    expect(before).toBeInstanceOf(OpenAI.NotFoundError);

    const added = JSON.parse(
      await iir('models', 'add', 'fake/live', '--kind', 'vllm', '--base-url', upstream.baseUrl, '--upstream-model', 'echo', '--aliases', 'live', '--json'),
    ) as { name: string; enabled: boolean };
    expect(added).toMatchObject({ name: 'fake/live', enabled: true });
    const at = Date.now();
    const reply = await waitFor(() => ask('fake/live'), { timeoutMs: 1_000, intervalMs: 20, what: 'fake/live to route' });
    expect(Date.now() - at).toBeLessThan(1_000);
    expect(reply.choices[0]?.message.content).toBe('You said: hello');
    expect((await ask('live')).choices[0]?.message.content).toBe('You said: hello');

    expect(await iir('models', 'list')).toMatch(/fake\/live\tvllm\topenai\tenabled/);
    expect(await iir('models', 'disable', 'fake/live')).toContain('disabled fake/live');
    await waitFor(async () => (await ask('fake/live').catch((e: unknown) => e)) instanceof OpenAI.NotFoundError, { timeoutMs: 1_000, what: 'disabled → 404' });
    await iir('models', 'enable', 'fake/live');
    await waitFor(() => ask('fake/live'), { timeoutMs: 1_000, what: 'enabled again' });

    expect(await iir('models', 'remove', 'fake/live')).toContain('removed fake/live');
    const gone = await waitFor(
      async () => {
        const error = await ask('fake/live').catch((e: unknown) => e);
        return error instanceof OpenAI.NotFoundError ? error : undefined;
      },
      { timeoutMs: 1_000, intervalMs: 20, what: 'fake/live to be a 404' },
    );
    expect(gone?.code).toBe('model_not_found');
    await expect(iir('models', 'remove', 'fake/live')).rejects.toMatchObject({ stderr: expect.stringContaining('404') });
  });

  it('refuses bad input with the field named, through the CLI and HTTP', async () => {
    await expect(iir('models', 'add', 'nope', '--base-url', upstream.baseUrl)).rejects.toMatchObject({ stderr: expect.stringContaining("'name' must be '<provider>/<model>'") });
    const res = await fetch(url('/v1/registry/models'), {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'fake/x', kind: 'vllm', protocol: 'openai', base_url: 'not a url' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.objectContaining({ type: 'invalid_request_error', param: 'base_url' }) });
  });

  it('keeps /v1/registry to admin keys: 401 without a key, 403 with a user key', async () => {
    expect((await fetch(url('/v1/registry/models'))).status).toBe(401);
    const created = await fetch(url('/api/v1/apikeys'), {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'user' }),
    });
    const { api_key: userKey } = (await created.json()) as { api_key: string };
    const asUser = await fetch(url('/v1/registry/models'), { headers: { authorization: `Bearer ${userKey}` } });
    expect(asUser.status).toBe(403);
    expect(await asUser.json()).toEqual({ error: expect.objectContaining({ code: 'permission_denied' }) });
    expect((await fetch(url('/v1/registry/models'), { headers: admin })).status).toBe(200);
  });

  it('discovers the hardware on POST /v1/registry/refresh and serves it from GET /v1/registry/status', async () => {
    const empty = (await (await fetch(url('/v1/registry/status'), { headers: admin })).json()) as { refreshed_at: string | null };
    expect(empty.refreshed_at).toBeNull();
    const res = await fetch(url('/v1/registry/refresh'), { method: 'POST', headers: admin });
    expect(res.status).toBe(200);
    const refreshed = (await res.json()) as {
      refreshed_at: string;
      hardware: { cpu_cores: number; memory_gb: number; usable_memory_gb: number; accelerator: string };
      recommendations: Array<{ id: string; memory_gb: number }>;
    };
    expect(refreshed.hardware.cpu_cores).toBeGreaterThan(0);
    expect(refreshed.recommendations.length).toBeGreaterThan(0);
    for (const r of refreshed.recommendations) expect(r.memory_gb).toBeLessThanOrEqual(refreshed.hardware.usable_memory_gb);
    expect(await (await fetch(url('/v1/registry/status'), { headers: admin })).json()).toEqual(refreshed);
  });
});
