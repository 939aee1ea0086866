import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { FakeOpenAIServer, REPO_ROOT, requireService, ServiceProcesses, TEST_NATS_URL, TEST_REDIS_URL, waitFor, type ServiceProcess } from '@iir/testing';
import OpenAI from 'openai';
import { E2eWorkspace, startOverNats, type Started } from './support/e2e-stack';

const ADMIN_KEY = 'iir-admin-e2e-bootstrap-key-0123456789abcdef';

interface KeyAnswer {
  api_key: string;
  id: string;
  priority: number;
  rpm: number | null;
  tpm: number | null;
}

/**
 * Keys, limits and the usage ledger with every service in its own process: two gateways sharing one
 * Redis and one NATS, the real auth (SQLite), router and registry, a fake OpenAI upstream, and the
 * official openai SDK as the client.
 */
describe('API keys, rate limits and the usage ledger (separate processes over NATS and Redis)', () => {
  const procs = new ServiceProcesses();
  const upstream = new FakeOpenAIServer();
  let ws: E2eWorkspace;
  let auth: Started;
  let gatewayA: Started;
  let gatewayB: Started;

  const gatewayEnv = (extra: Record<string, string> = {}): Record<string, string | undefined> =>
    ws.natsEnv({
      IIR_ADMIN_KEY: ADMIN_KEY,
      REDIS_URL: TEST_REDIS_URL,
      // Long on purpose: revocation must reach the other replica by broadcast, not by expiry.
      AUTH_CACHE_TTL_MS: '60000',
      UPSTREAM_RETRY_BACKOFF_MS: '1',
      ...extra,
    });

  const spawnGateway = async (label: string, extra: Record<string, string> = {}): Promise<Started> => {
    const proc = procs.spawn('gateway', { env: gatewayEnv(extra), label });
    return { process: proc, port: await proc.waitForReady('gateway') };
  };

  const url = (g: Started, p: string): string => `http://127.0.0.1:${g.port}${p}`;
  const sdk = (g: Started, apiKey: string): OpenAI => new OpenAI({ baseURL: url(g, '/v1'), apiKey, maxRetries: 0 });

  const createKey = async (g: Started, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(url(g, '/api/v1/apikeys'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const newKey = async (body: Record<string, unknown> = {}): Promise<KeyAnswer> => {
    const res = await createKey(gatewayA, body, admin);
    expect(res.status).toBe(201);
    return (await res.json()) as KeyAnswer;
  };
  const chat = (g: Started, key: string, extra: Record<string, unknown> = {}): Promise<Response> =>
    fetch(url(g, '/v1/chat/completions'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'fake/echo', messages: [{ role: 'user', content: 'hi' }], max_tokens: 50, ...extra }),
    });
  const admin = { authorization: `Bearer ${ADMIN_KEY}` };
  const stats = async (query: string): Promise<{ data: Array<Record<string, unknown>> }> => {
    const res = await fetch(url(gatewayA, `/stats?${query}`), { headers: admin });
    expect(res.status).toBe(200);
    return (await res.json()) as { data: Array<Record<string, unknown>> };
  };

  beforeAll(async () => {
    await requireService('NATS', TEST_NATS_URL);
    await requireService('Redis', TEST_REDIS_URL);
    await upstream.start();
    ws = new E2eWorkspace('keys');
    writeFileSync(
      ws.seedFile,
      [
        'models:',
        '  - { name: fake/echo, provider: fake, kind: vllm, protocol: openai, upstream_model: echo,',
        `      base_url: "${upstream.baseUrl}", pricing: { prompt: 1, completion: 2 } }`,
        '  - { name: other/echo, provider: other, kind: vllm, protocol: openai, upstream_model: echo,',
        `      base_url: "${upstream.baseUrl}" }`,
        '',
      ].join('\n'),
    );
    const [registry, router, authStarted] = await Promise.all(['registry', 'router', 'auth'].map((app) => startOverNats(procs, ws, app as never)));
    void registry;
    void router;
    auth = authStarted as Started;
    [gatewayA, gatewayB] = await Promise.all([spawnGateway('gateway-a'), spawnGateway('gateway-b')]);
    // The router has the catalogue once a plan for the seeded model comes back.
    await waitFor(async () => (await chat(gatewayA, ADMIN_KEY)).status === 200, { timeoutMs: 15_000, what: 'a first routed request' });
  }, 90_000);

  afterAll(async () => {
    await procs.killAll();
    await upstream.close();
    ws?.dispose();
  });

  it('refuses calls without a key, with a wrong key, and admin routes to user keys, in OpenAI error shape', async () => {
    const noKey = await fetch(url(gatewayA, '/v1/chat/completions'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake/echo', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toEqual({ error: expect.objectContaining({ type: 'authentication_error', code: 'invalid_api_key' }) });

    await expect(sdk(gatewayA, 'iir-not-a-real-key').chat.completions.create({ model: 'fake/echo', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );

    const user = await newKey({ description: 'plain user' });
    const list = await fetch(url(gatewayA, '/api/v1/apikeys'), { headers: { authorization: `Bearer ${user.api_key}` } });
    expect(list.status).toBe(403);
    const asAdmin = await fetch(url(gatewayA, '/api/v1/apikeys'), { headers: admin });
    expect(asAdmin.status).toBe(200);
    const body = (await asAdmin.json()) as { data: Array<{ id: string }> };
    expect(body.data.some((k) => k.id === user.id)).toBe(true);
    expect(JSON.stringify(body)).not.toContain(user.api_key);
  });

  it('makes a registered key usable on every replica the instant registration returns', async () => {
    const key = await newKey({ description: 'instant', priority: 7 });
    expect(key.api_key).toMatch(/^iir-/);
    expect(key.priority).toBe(7);
    const [a, b] = await Promise.all([
      sdk(gatewayA, key.api_key).chat.completions.create({ model: 'fake/echo', messages: [{ role: 'user', content: 'now' }] }),
      sdk(gatewayB, key.api_key).chat.completions.create({ model: 'fake/echo', messages: [{ role: 'user', content: 'now' }] }),
    ]);
    expect(a.choices[0]?.message.content).toBe('You said: now');
    expect(b.choices[0]?.message.content).toBe('You said: now');
  });

  it('accepts exactly RPM requests per window across two gateways sharing Redis', async () => {
    const key = await newKey({ description: 'rpm 60', rpm: 60 });
    const statuses: number[] = [];
    let refused: Response | undefined;
    // 200 requests, alternating replicas, 20 at a time.
    for (let batch = 0; batch < 10; batch++) {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => chat(i % 2 === 0 ? gatewayA : gatewayB, key.api_key)));
      for (const a of answers) {
        statuses.push(a.status);
        if (a.status === 429) refused ??= a;
        await a.arrayBuffer();
      }
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses.filter((s) => s === 429)).toHaveLength(140);
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused?.headers.get('x-ratelimit-limit-requests')).toBe('60');
    expect(refused?.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(refused?.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d+)?(ms|s|m)/);

    // The SDK sees a RateLimitError with OpenAI's shape.
    const error = await sdk(gatewayB, key.api_key)
      .chat.completions.create({ model: 'fake/echo', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('rate_limit_exceeded');
  });

  it('reserves tokens from an estimate, settles them with the real usage, and refuses a request larger than the budget up front', async () => {
    // Each request reserves ~60 tokens (50 of max_tokens) and really uses ~10: without settlement
    // the 6th would be refused.
    const key = await newKey({ description: 'tpm 300', tpm: 300 });
    for (let i = 0; i < 12; i++) {
      const res = await chat(i % 2 ? gatewayA : gatewayB, key.api_key);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    const before = upstream.requestCount;
    const big = await chat(gatewayA, key.api_key, { max_tokens: 1_000 });
    expect(big.status).toBe(429);
    const body = (await big.json()) as { error: { message: string; code: string } };
    expect(body.error).toMatchObject({ code: 'rate_limit_exceeded', message: expect.stringContaining('Request too large') });
    expect(big.headers.get('x-ratelimit-limit-tokens')).toBe('300');
    expect(upstream.requestCount).toBe(before);
  });

  it('enforces a key’s allowed models with a 403 naming the model', async () => {
    const key = await newKey({ allowed_models: ['fake/*'] });
    expect((await chat(gatewayA, key.api_key)).status).toBe(200);
    const denied = await chat(gatewayB, key.api_key, { model: 'other/echo' });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ error: expect.objectContaining({ type: 'permission_error', code: 'permission_denied', message: expect.stringContaining('other/echo') }) });
  });

  it('refuses a key revoked on one gateway on the other within a second', async () => {
    const key = await newKey({ description: 'to revoke' });
    expect((await chat(gatewayB, key.api_key)).status).toBe(200); // now cached on B (for 60 s)
    const revoked = await fetch(url(gatewayA, `/api/v1/apikeys/${key.id}`), { method: 'DELETE', headers: admin });
    expect(revoked.status).toBe(200);
    const at = Date.now();
    await waitFor(async () => (await chat(gatewayB, key.api_key)).status === 401, { timeoutMs: 1_000, intervalMs: 20, what: 'gateway B to refuse the revoked key' });
    expect(Date.now() - at).toBeLessThan(1_000);
    const again = await chat(gatewayA, key.api_key);
    expect(((await again.json()) as { error: { message: string } }).error.message).toContain('revoked');
  });

  it('registers keys only from trusted networks, believing X-Forwarded-For only from a trusted proxy', async () => {
    const strict = await spawnGateway('gateway-strict', { TRUSTED_NETWORKS: '10.0.0.0/8' });
    const proxied = await spawnGateway('gateway-proxied', { TRUSTED_NETWORKS: '10.0.0.0/8', TRUSTED_PROXIES: '127.0.0.1/32,::1' });
    try {
      expect((await createKey(strict, {})).status).toBe(403);
      // Anyone can send the header: without a trusted proxy it is ignored.
      expect((await createKey(strict, {}, { 'x-forwarded-for': '10.1.2.3' })).status).toBe(403);
      expect((await createKey(proxied, {}, { 'x-forwarded-for': '10.1.2.3' })).status).toBe(201);
      expect((await createKey(proxied, {}, { 'x-forwarded-for': '10.1.2.3, 8.8.8.8' })).status).toBe(403);
      const refused = await createKey(proxied, {});
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({ error: expect.objectContaining({ code: 'permission_denied' }) });
      // An admin key registers from anywhere.
      expect((await createKey(strict, {}, admin)).status).toBe(201);
    } finally {
      await Promise.all([strict.process.stop(), proxied.process.stop()]);
    }
  });

  it('lets a keyless registration issue user keys only, within the ceilings; admin keys need an admin key', async () => {
    // Loopback is trusted by default: without a key, role admin is refused, whatever the body's type.
    const asAdmin = await createKey(gatewayA, { role: 'admin' });
    expect(asAdmin.status).toBe(403);
    expect(await asAdmin.json()).toEqual({ error: expect.objectContaining({ code: 'permission_denied', param: 'role' }) });
    const form = await fetch(url(gatewayA, '/api/v1/apikeys'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'role=admin',
    });
    expect(form.status).toBe(415);
    expect(await form.json()).toEqual({ error: expect.objectContaining({ code: 'unsupported_media_type', type: 'invalid_request_error' }) });
    // A user key does not widen a keyless registration.
    const user = (await (await createKey(gatewayA, {})).json()) as KeyAnswer & { role: string };
    expect(user.role).toBe('user');
    expect((await createKey(gatewayA, { role: 'admin' }, { authorization: `Bearer ${user.api_key}` })).status).toBe(403);
    expect((await createKey(gatewayA, { priority: 9 })).status).toBe(403);
    // The minted user key cannot reach admin routes.
    expect((await fetch(url(gatewayA, '/api/v1/apikeys'), { headers: { authorization: `Bearer ${user.api_key}` } })).status).toBe(403);
    // An admin key may issue an admin key.
    const minted = await createKey(gatewayA, { role: 'admin' }, admin);
    expect(minted.status).toBe(201);

    const capped = await spawnGateway('gateway-ceilings', {
      REGISTRATION_MAX_PRIORITY: '2',
      REGISTRATION_MAX_RPM: '60',
      REGISTRATION_MAX_TPM: '10000',
      REGISTRATION_ALLOWED_MODELS: 'fake/*',
    });
    const closed = await spawnGateway('gateway-admin-only', { KEYLESS_REGISTRATION: 'false' });
    try {
      const defaults = (await (await createKey(capped, {})).json()) as KeyAnswer & { allowed_models: string[] };
      expect(defaults).toMatchObject({ rpm: 60, tpm: 10000, allowed_models: ['fake/*'] });
      expect((await createKey(capped, { priority: 2, rpm: 30, allowed_models: ['fake/echo'] })).status).toBe(201);
      for (const [body, param] of [
        [{ priority: 3 }, 'priority'],
        [{ rpm: 61 }, 'rpm'],
        [{ tpm: 1_000_000 }, 'tpm'],
        [{ allowed_models: ['*'] }, 'allowed_models'],
        [{ allowed_models: ['fake/echo', 'openai/*'] }, 'allowed_models'],
      ] as const) {
        const res = await createKey(capped, body);
        expect(res.status).toBe(403);
        expect(((await res.json()) as { error: { param: string } }).error.param).toBe(param);
      }
      // The admin key is above the ceilings.
      expect((await createKey(capped, { priority: 9, rpm: null, allowed_models: [] }, admin)).status).toBe(201);
      expect((await createKey(closed, {})).status).toBe(401);
      expect((await createKey(closed, {}, admin)).status).toBe(201);
    } finally {
      await Promise.all([capped.process.stop(), closed.process.stop()]);
    }
  });

  it('loses no usage record while auth is down: 500 requests, then 500 ledger rows, no duplicates', async () => {
    const key = await newKey({ description: 'ledger' });
    // Warm both replicas' key caches, then take auth away.
    for (const g of [gatewayA, gatewayB]) expect((await chat(g, key.api_key)).status).toBe(200);
    await waitFor(async () => ((await stats(`group_by=key`)).data.find((r) => r['key_id'] === key.id)?.['requests'] as number) === 2, {
      what: 'the warm-up records',
    });
    await auth.process.stop();
    let ok = 0;
    for (let batch = 0; batch < 25; batch++) {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => chat(i % 2 ? gatewayA : gatewayB, key.api_key)));
      for (const a of answers) {
        if (a.status === 200) ok++;
        await a.arrayBuffer();
      }
    }
    expect(ok).toBe(500);
    auth = await startOverNats(procs, ws, 'auth');
    const rows = await waitFor(
      async () => {
        const row = (await stats('group_by=key')).data.find((r) => r['key_id'] === key.id);
        return row?.['requests'] === 502 ? row : undefined;
      },
      { timeoutMs: 20_000, what: '502 ledger rows for the key' },
    );
    expect(rows).toMatchObject({ requests: 502, errors: 0 });
    expect(rows?.['total_tokens']).toBeGreaterThan(0);
  });

  it('answers OpenRouter’s /api/v1/generation for the key’s own requests only, and /api/v1/key with its limits and usage', async () => {
    const key = await newKey({ description: 'openrouter', rpm: 1000, tpm: 100000, allowed_models: ['fake/*', 'other/*'] });
    const other = await newKey({ description: 'someone else' });
    const res = await chat(gatewayA, key.api_key);
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id') ?? '';
    // A second model: the key's usage is its total over both.
    expect((await chat(gatewayA, key.api_key, { model: 'other/echo' })).status).toBe(200);
    const generation = async (apiKey: string): Promise<Response> =>
      fetch(url(gatewayB, `/api/v1/generation?id=${encodeURIComponent(id)}`), { headers: { authorization: `Bearer ${apiKey}` } });
    // Records reach the ledger within a second of the answer.
    const found = await waitFor(async () => {
      const r = await generation(key.api_key);
      return r.status === 200 ? ((await r.json()) as { data: Record<string, unknown> }) : undefined;
    }, { timeoutMs: 10_000, what: 'the generation record' });
    if (!found) throw new Error('no generation record');
    expect(found.data).toMatchObject({ id, model: 'fake/echo', target: 'fake/echo', provider_name: 'fake', streamed: false, cache_hit: false, status: 200 });
    const prompt = found.data['tokens_prompt'] as number;
    const completion = found.data['tokens_completion'] as number;
    expect(prompt).toBeGreaterThan(0);
    // fake/echo costs $1 / $2 per million tokens in the registry.
    expect(found.data['total_cost']).toBeCloseTo((prompt * 1 + completion * 2) / 1e6, 12);
    const foreign = await generation(other.api_key);
    expect(foreign.status).toBe(404);
    expect((await generation(ADMIN_KEY)).status).toBe(200);
    const missing = await fetch(url(gatewayA, '/api/v1/generation'), { headers: { authorization: `Bearer ${key.api_key}` } });
    expect(missing.status).toBe(400);

    const me = await waitFor(async () => {
      const body = (await (await fetch(url(gatewayA, '/api/v1/key'), { headers: { authorization: `Bearer ${key.api_key}` } })).json()) as { data: Record<string, unknown> };
      return (body.data['usage'] as { all_time?: { requests?: number } } | null)?.all_time?.requests === 2 ? body : undefined;
    }, { timeoutMs: 10_000, what: 'both requests in the key’s usage' });
    if (!me) throw new Error('no usage');
    expect(me.data).toMatchObject({ id: key.id, role: 'user', allowed_models: ['fake/*', 'other/*'], rate_limit: { requests: 1000, tokens: 100000, interval: '1m' } });
    // Totals over both models, not one model's row.
    expect(me.data['usage']).toMatchObject({ last_24h: { requests: 2 }, all_time: { requests: 2 } });
    expect((me.data['usage'] as { all_time: { prompt_tokens: number } }).all_time.prompt_tokens).toBeGreaterThan(prompt);
  });

  it('creates, lists and revokes keys from the iir CLI', async () => {
    const iir = async (...args: string[]): Promise<string> => {
      const { stdout } = await promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'dist/apps/cli/main.js'), '--url', url(gatewayA, ''), ...args], {
        env: { PATH: process.env['PATH'] ?? '', IIR_ADMIN_KEY: ADMIN_KEY },
        timeout: 15_000,
      });
      return stdout;
    };
    const created = JSON.parse(await iir('keys', 'create', '--description', 'from the cli', '--rpm', '5', '--models', 'fake/*', '--json')) as KeyAnswer;
    expect(created).toMatchObject({ rpm: 5, api_key: expect.stringMatching(/^iir-/) });
    expect((await chat(gatewayB, created.api_key)).status).toBe(200);
    const listed = await iir('keys', 'list');
    expect(listed).toContain(created.id);
    expect(listed).not.toContain(created.api_key);
    expect(await iir('keys', 'revoke', created.id)).toContain(`revoked ${created.id}`);
    await waitFor(async () => (await chat(gatewayB, created.api_key)).status === 401, { timeoutMs: 1_000, what: 'the revoked CLI key refused' });
    await expect(iir('keys', 'revoke', 'no-such-id')).rejects.toMatchObject({ stderr: expect.stringContaining('404') });
  });

  it('never writes a secret to the database', async () => {
    const keys = await Promise.all([newKey(), newKey({ role: 'admin' })]);
    // the database and its write-ahead log (recent commits live there until a checkpoint)
    const read = (file: string): string => (existsSync(file) ? readFileSync(file).toString('latin1') : '');
    const db = read(path.join(ws.dataDir, 'auth.sqlite')) + read(path.join(ws.dataDir, 'auth.sqlite-wal'));
    for (const k of keys) {
      expect(db).not.toContain(k.api_key);
      expect(db).not.toContain(k.api_key.slice(12));
      // The control: the rows are in this file, as hashes.
      expect(db).toContain(createHash('sha256').update(k.api_key).digest('hex'));
    }
  });

  it('keeps serving with per-replica limits when Redis is unreachable', async () => {
    const g: Started = await spawnGateway('gateway-no-redis', { REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const key = await newKey({ rpm: 3 });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await chat(g, key.api_key)).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const metrics = await (await fetch(url(g, '/metrics'))).text();
      expect(metrics).toMatch(/iir_gateway_ratelimit_degraded 1/);
      const fallbackLines = (): unknown[] => (g.process as ServiceProcess).logs.filter((l) => String(l.msg).includes('fall back to per-replica memory'));
      await waitFor(() => fallbackLines().length > 0 || undefined, { timeoutMs: 5_000, what: 'the fallback log line' });
      expect(fallbackLines()).toHaveLength(1);
    } finally {
      await g.process.stop();
    }
  });
});
