import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ClassifierClient } from '@iir/contracts';
import { NatsBus } from '@iir/platform';
import { FakeOpenAIServer, requireService, scrapeMetrics, ServiceProcesses, TEST_NATS_URL, waitFor } from '@iir/testing';
import OpenAI from 'openai';
import { Database } from 'sqlite3';
import { E2eWorkspace, type SeparateService, type Started } from './support/e2e-stack';

const ADMIN_KEY = 'iir-admin-e2e-auto-routing-0123456789abcdef';
const GREETING = 'hi there!';
const HARD_CODING =
  'Write a TypeScript function that parses a CSV file with quoted fields, streams it row by row, validates each row against a zod schema, ' +
  'and writes the valid rows to Postgres in batches of 500 inside a transaction; include unit tests and explain the error handling.';
const AMBIGUOUS = 'asdf qwer zxcv';
const THRESHOLD = 0.95;

/**
 * `model: "auto"` end to end: the real classifier labels the prompt, the router applies the auto
 * policy of a routing file of the test's own, and the gateway runs the plan against fake upstreams
 * standing in for a local model, a fast remote one and a strong remote one.
 */
describe('auto routing end to end (classifier, router, registry, auth, gateway over NATS)', () => {
  const procs = new ServiceProcesses();
  const local = new FakeOpenAIServer();
  const fast = new FakeOpenAIServer();
  const strong = new FakeOpenAIServer();
  let ws: E2eWorkspace;
  const up: Partial<Record<SeparateService, Started>> = {};
  let client: OpenAI;
  let bus: NatsBus;

  const env = (): Record<string, string | undefined> => ws.natsEnv({ IIR_ADMIN_KEY: ADMIN_KEY, ROUTING_CONFIG: path.join(ws.dataDir, 'routing.yaml') });
  const start = async (app: SeparateService): Promise<Started> => {
    const proc = procs.spawn(app, { env: env(), label: app });
    const started = { process: proc, port: await proc.waitForReady(app) };
    up[app] = started;
    return started;
  };
  const ask = (content: string, headers: Record<string, string> = {}) =>
    client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content }] }, { headers }).withResponse();
  const admin = (method: string, p: string): Promise<Response> =>
    fetch(`http://127.0.0.1:${up.gateway?.port}${p}`, { method, headers: { authorization: `Bearer ${ADMIN_KEY}` } });

  beforeAll(async () => {
    await requireService('NATS', TEST_NATS_URL);
    await Promise.all([local.start(), fast.start(), strong.start()]);
    ws = new E2eWorkspace('auto');
    writeFileSync(
      ws.seedFile,
      [
        'models:',
        `  - { name: local/small, provider: local, kind: vllm, protocol: openai, upstream_model: small, base_url: "${local.baseUrl}" }`,
        `  - { name: remote/fast, provider: remote, kind: hosted, protocol: openai, upstream_model: fast, base_url: "${fast.baseUrl}" }`,
        `  - { name: remote/strong, provider: remote, kind: hosted, protocol: openai, upstream_model: strong, base_url: "${strong.baseUrl}" }`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      path.join(ws.dataDir, 'routing.yaml'),
      [
        'policies: []',
        'auto:',
        `  confidence_threshold: ${THRESHOLD}`,
        '  local_tiers: [local]',
        '  tiers: { local: [local/small], fast: [remote/fast], strong: [remote/strong] }',
        '  routes:',
        '    default: { simple: [local, fast], complex: [strong, fast] }',
        '  low_confidence: [strong, fast]',
        '  classifier_unavailable: [fast, strong]',
        '',
      ].join('\n'),
    );
    for (const app of ['registry', 'auth', 'classifier', 'router'] as const) await start(app);
    await start('gateway');
    client = new OpenAI({ baseURL: `http://127.0.0.1:${up.gateway?.port}/v1`, apiKey: ADMIN_KEY, maxRetries: 0 });
    bus = await NatsBus.connect({ servers: TEST_NATS_URL, subjectPrefix: ws.prefix });
    await waitFor(async () => (await ask(GREETING)).response.status === 200, { timeoutMs: 15_000, what: 'a first auto request' });
  }, 90_000);

  afterAll(async () => {
    await bus?.drain();
    await procs.killAll();
    await Promise.all([local.close(), fast.close(), strong.close()]);
    ws?.dispose();
  });

  it('sends a greeting to the local tier and says why in the receipt', async () => {
    const { data, response } = await ask(GREETING);
    expect(data.choices[0]?.message.content).toBe(`You said: ${GREETING}`);
    expect(response.headers.get('x-iir-target')).toBe('local/small');
    expect(response.headers.get('x-iir-policy')).toBe('auto');
    expect(response.headers.get('x-iir-auto-tier')).toBe('local');
    expect(response.headers.get('x-iir-auto-label')).toBe('chat');
    expect(response.headers.get('x-iir-auto-complexity')).toBe('simple');
    expect(Number(response.headers.get('x-iir-auto-confidence'))).toBeGreaterThanOrEqual(THRESHOLD);
    expect(response.headers.get('x-iir-route-reason')).toContain('tier local');
  });

  it('sends a hard multi-step coding request to the strong tier', async () => {
    const { response } = await ask(HARD_CODING);
    expect(response.headers.get('x-iir-target')).toBe('remote/strong');
    expect(response.headers.get('x-iir-auto-label')).toBe('code');
    expect(response.headers.get('x-iir-auto-complexity')).toBe('complex');
  });

  it('sends low-confidence input to the strong tier', async () => {
    // The premise, checked against the real classifier: this input is below the threshold.
    const said = await new ClassifierClient(bus, 2_000).classify({ messages: [{ role: 'user', content: AMBIGUOUS }] });
    expect(said.confidence).toBeLessThan(THRESHOLD);
    const { response } = await ask(AMBIGUOUS);
    expect(response.headers.get('x-iir-auto-tier')).toBe('strong');
    expect(response.headers.get('x-iir-route-reason')).toContain('low-confidence');
  });

  it('pins with x-iir-route', async () => {
    expect((await ask(GREETING, { 'x-iir-route': 'remote-only' })).response.headers.get('x-iir-auto-tier')).toBe('fast');
    expect((await ask(HARD_CODING, { 'x-iir-route': 'prefer-local' })).response.headers.get('x-iir-auto-tier')).toBe('local');
    await expect(ask(GREETING, { 'x-iir-route': 'anywhere' })).rejects.toMatchObject({ status: 400, param: 'x-iir-route' });
  });

  it('moves to the next tier when the local one is unavailable, and back when it returns', async () => {
    expect((await admin('POST', '/v1/registry/models/local/small/disable')).status).toBe(200);
    try {
      await waitFor(async () => (await ask(GREETING)).response.headers.get('x-iir-auto-tier') === 'fast', { timeoutMs: 5_000, what: 'the fast tier' });
      const { response } = await ask(GREETING);
      expect(response.headers.get('x-iir-target')).toBe('remote/fast');
      expect(response.headers.get('x-iir-route-reason')).toContain('local unavailable');
    } finally {
      expect((await admin('POST', '/v1/registry/models/local/small/enable')).status).toBe(200);
    }
    await waitFor(async () => (await ask(GREETING)).response.headers.get('x-iir-auto-tier') === 'local', { timeoutMs: 5_000, what: 'the local tier again' });
  });

  it('keeps answering on the default tiers when the classifier is down, and counts it', async () => {
    await up.classifier?.process.stop();
    try {
      const { data, response } = await ask(GREETING);
      expect(data.choices[0]?.message.content).toBe(`You said: ${GREETING}`);
      expect(response.headers.get('x-iir-auto-tier')).toBe('fast');
      expect(response.headers.get('x-iir-auto-label')).toBeNull();
      const metrics = await scrapeMetrics(up.router?.port ?? 0);
      expect(metrics.value('iir_router_auto_classifier_failures_total')).toBeGreaterThanOrEqual(1);
      // log lines leave in batches (one write per 10 ms): wait for it rather than race it
      await waitFor(() => up.router?.process.logs.some((l) => String(l.msg).includes('classifier did not answer')) || undefined, { timeoutMs: 5_000, what: "the router's log line" });
    } finally {
      await start('classifier');
    }
  });

  it('writes the routing receipt into the usage ledger', async () => {
    const { response } = await ask(HARD_CODING);
    const id = response.headers.get('x-request-id');
    const row = await waitFor(
      () =>
        new Promise<Record<string, unknown> | undefined>((resolve, reject) => {
          const db = new Database(path.join(ws.dataDir, 'auth.sqlite'));
          db.get('SELECT policy, route_label, route_complexity, route_tier, route_confidence FROM usage_records WHERE request_id = ?', [id], (error, r) => {
            db.close();
            if (error) reject(error);
            else resolve(r as Record<string, unknown> | undefined);
          });
        }),
      { what: 'the ledger row' },
    );
    expect(row).toMatchObject({ policy: 'auto', route_label: 'code', route_complexity: 'complex', route_tier: 'strong' });
    expect(row?.['route_confidence']).toEqual(expect.any(Number));
  });
});
