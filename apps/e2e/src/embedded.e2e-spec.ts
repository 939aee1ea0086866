import { execFile } from 'node:child_process';
import Anthropic from '@anthropic-ai/sdk';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REQUIRED_SERVICES } from '@iir/contracts';
import { REPO_ROOT, ServiceProcesses, waitFor, type ServiceProcess } from '@iir/testing';
import { E2eWorkspace, expectCleanExit, waitForGatewayHealth } from './support/e2e-stack';

const ALL_IN_ONE = 'all-in-one';
const ADMIN_KEY = 'embedded-admin-key-0123456789abcdef';

describe('all-in-one, embedded mode (no NATS_URL)', () => {
  const procs = new ServiceProcesses();
  let ws: E2eWorkspace;
  let iir: ServiceProcess;
  let gatewayPort: number;

  beforeAll(async () => {
    ws = new E2eWorkspace('embedded');
    iir = procs.spawn(ALL_IN_ONE, { env: ws.embeddedEnv({ IIR_ADMIN_KEY: ADMIN_KEY }) });
    // The gateway starts last, once the services it needs are up.
    gatewayPort = await iir.waitForReady('gateway');
  }, 30_000);

  afterAll(async () => {
    await procs.killAll();
    ws?.dispose();
  });

  it('says once that it uses the in-process bus', () => {
    const mentions = iir.stdout.split('\n').filter((line) => /in-process bus/i.test(line));

    expect(mentions).toHaveLength(1);
    expect(iir.logs.filter((l) => typeof l['bus'] === 'string').map((l) => l['bus'])).not.toContain('nats');
  });

  it('answers /health with 200 and every required service up', async () => {
    const { status, body } = await waitForGatewayHealth(gatewayPort, (s) => s === 200, {
      timeoutMs: 10_000,
      what: 'gateway /health to answer 200',
      procs,
    });

    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.missing).toEqual([]);
    for (const name of REQUIRED_SERVICES) {
      expect({ name, status: body.services.find((s) => s.name === name)?.status }).toEqual({ name, status: 'up' });
    }
  });

  it('issues keys, limits them and writes every request to the ledger directly (no JetStream)', async () => {
    const base = `http://127.0.0.1:${gatewayPort}`;
    const created = await fetch(`${base}/api/v1/apikeys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'embedded', rpm: 15 }),
    });
    expect(created.status).toBe(201);
    const { api_key: key, id } = (await created.json()) as { api_key: string; id: string };
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${base}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ model: 'none/such', messages: [{ role: 'user', content: 'hi' }] }),
        }).then((r) => r.status),
      ),
    );
    // No models are seeded: 15 get as far as the router (404), 5 are over the key's RPM (429).
    expect(statuses.filter((s) => s === 404)).toHaveLength(15);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    const rows = await waitFor(async () => {
      const stats = (await (await fetch(`${base}/stats?group_by=key`, { headers: admin })).json()) as { data: Array<{ key_id: string; requests: number }> };
      const row = stats.data.find((r) => r.key_id === id);
      return row?.requests === 20 ? row : undefined;
    });
    expect(rows).toMatchObject({ requests: 20 });
    expect(iir.logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('exits with code 0 on SIGTERM, after stopping every service', async () => {
    const own = procs.spawn(ALL_IN_ONE, { env: ws.embeddedEnv(), label: 'all-in-one (shutdown)' });
    await own.waitForReady('gateway');

    const status = await own.stop();

    expectCleanExit(own, status);
    for (const name of [...REQUIRED_SERVICES, 'gateway']) {
      expect(own.logs.filter((l) => l.msg === `${name} stopped`).map((l) => l.msg)).toEqual([`${name} stopped`]);
    }
  }, 30_000);
});

/** The README's first request, copied out of the README itself, against a fresh `npm start`. */
describe('a fresh npm start (no variables set) answers the README first request', () => {
  const procs = new ServiceProcesses();
  let ws: E2eWorkspace;
  let iir: ServiceProcess;
  let gatewayPort: number;

  beforeAll(async () => {
    ws = new E2eWorkspace('fresh');
    iir = procs.spawn(ALL_IN_ONE, { env: ws.embeddedEnv(), label: 'all-in-one (fresh)' });
    gatewayPort = await iir.waitForReady('gateway');
    await iir.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('registered'), { timeoutMs: 30_000, what: 'the embedded agent to register' });
  }, 60_000);

  afterAll(async () => {
    await procs.killAll();
    ws?.dispose();
  });

  it('streams an answer from the bundled local model', async () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('curl localhost:8000/v1/chat/completions');
    expect(start).toBeGreaterThan(0);
    expect(readme.slice(0, start)).not.toMatch(/curl localhost:8000\/v1\//); // it is the first
    // The command with its continuation lines, exactly as printed, pointed at this run's port.
    const lines: string[] = [];
    for (const line of readme.slice(start).split('\n')) {
      lines.push(line);
      if (!line.trimEnd().endsWith('\\')) break;
    }
    const command = lines.join('\n').replace('localhost:8000', `127.0.0.1:${gatewayPort}`);
    const { stdout } = await promisify(execFile)('bash', ['-c', `${command} -sS --max-time 60`], { maxBuffer: 16 * 1024 * 1024 });
    const events = stdout.split('\n').filter((l) => l.startsWith('data: '));
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((l) => JSON.parse(l.slice(6)) as { model: string; choices: Array<{ delta: { content?: string } }> });
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks[0]?.model).toBe('local/stories-260k');
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('').trim().length).toBeGreaterThan(0);
  });

  it('answers model auto from the local tier, and lists the local model', async () => {
    const res = await fetch(`http://127.0.0.1:${gatewayPort}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', max_tokens: 8, messages: [{ role: 'user', content: 'hi!' }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-iir-auto-tier')).toBe('local');
    expect(res.headers.get('x-iir-target')).toBe('local/stories-260k');
    const models = (await (await fetch(`http://127.0.0.1:${gatewayPort}/v1/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).toContain('local/stories-260k');
  });

  it('serves an Anthropic client (the @anthropic-ai/sdk) from the local model, translated both ways', async () => {
    const client = new Anthropic({ baseURL: `http://127.0.0.1:${gatewayPort}`, apiKey: 'none', maxRetries: 0 });
    const message = await client.messages.create({ model: 'local/stories-260k', max_tokens: 6, messages: [{ role: 'user', content: 'Once upon a time' }] });
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBe(6);
    expect(message.content[0]?.type === 'text' ? message.content[0].text.length : 0).toBeGreaterThan(0);
    const stream = client.messages.stream({ model: 'local/stories-260k', max_tokens: 6, messages: [{ role: 'user', content: 'Once upon a time' }] });
    let text = '';
    stream.on('text', (delta) => (text += delta));
    const final = await stream.finalMessage();
    expect(text.length).toBeGreaterThan(0);
    expect(final.stop_reason).toBe('max_tokens');
    expect(final.usage.input_tokens).toBeGreaterThan(0);
  });

  it('names the variable to set for a provider that is not configured', async () => {
    const res = await fetch(`http://127.0.0.1:${gatewayPort}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('Set EXTERNAL_OPENAI_KEY');
    expect(iir.logs.filter((l) => l.level === 'error')).toEqual([]);
  });
});
