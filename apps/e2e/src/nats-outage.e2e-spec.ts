import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { FakeOpenAIServer, ServiceProcesses, waitFor } from '@iir/testing';
import OpenAI from 'openai';
import { E2eWorkspace, startSeparately, type SeparateService, type Started } from './support/e2e-stack';

const NATS_SERVER = process.env['NATS_SERVER_BIN'] ?? '/usr/sbin/nats-server';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A private NATS server this test may stop and start without disturbing the other tests. */
class PrivateNats {
  private child: ChildProcess | undefined;
  constructor(readonly port: number) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!existsSync(NATS_SERVER)) {
      throw new Error(`this test runs its own nats-server and found none at ${NATS_SERVER}; set NATS_SERVER_BIN`);
    }
    this.child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(this.port)], { stdio: 'ignore' });
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const socket = connect(this.port, '127.0.0.1');
          socket.once('connect', () => (socket.destroy(), resolve(true)));
          socket.once('error', () => resolve(false));
        }),
      { what: `nats-server on ${this.port}` },
    );
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

describe('NATS going away and coming back', () => {
  const procs = new ServiceProcesses();
  const upstream = new FakeOpenAIServer();
  let nats: PrivateNats;
  let ws: E2eWorkspace;
  let stack: Record<SeparateService, Started>;
  let client: OpenAI;

  beforeAll(async () => {
    await upstream.start();
    nats = new PrivateNats(await freePort());
    await nats.start();
    ws = new E2eWorkspace('outage');
    writeFileSync(
      ws.seedFile,
      [
        'models:',
        `  - { name: vllm/warm, provider: vllm, kind: vllm, protocol: openai, upstream_model: warm, base_url: "${upstream.baseUrl}" }`,
        `  - { name: vllm/cold, provider: vllm, kind: vllm, protocol: openai, upstream_model: cold, base_url: "${upstream.baseUrl}" }`,
        '',
      ].join('\n'),
    );
    const env = (extra = {}): Record<string, string | undefined> =>
      ws.natsEnv({ NATS_URL: nats.url, ROUTER_TIMEOUT_MS: '500', ROUTER_PLAN_CACHE_TTL_MS: '60000', ...extra });
    stack = await startSeparately(procs, { ...ws, natsEnv: env } as E2eWorkspace, ['registry', 'router', 'gateway']);
    client = new OpenAI({ baseURL: `http://127.0.0.1:${stack.gateway.port}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 10_000 });
    await waitFor(() => client.chat.completions.create({ model: 'vllm/warm', messages: [{ role: 'user', content: 'warm up' }] }), {
      what: 'a first answer',
    });
  }, 60_000);

  afterAll(async () => {
    await procs.killAll();
    await nats?.stop();
    await upstream.close();
    ws?.dispose();
  });

  it('keeps serving planned models, answers 503 (not a hang, not a 500) for the rest, and recovers', async () => {
    await nats.stop();

    // A plan the gateway already holds needs no bus hop: the request still runs.
    const warm = await client.chat.completions.create({ model: 'vllm/warm', messages: [{ role: 'user', content: 'bus down' }] });
    expect(warm.choices[0]?.message.content).toBe('You said: bus down');

    // A model nobody planned yet cannot be routed: a prompt 503 in OpenAI's shape.
    const cold = await client.chat.completions.create({ model: 'vllm/cold', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(cold).toBeInstanceOf(OpenAI.APIError);
    expect((cold as InstanceType<typeof OpenAI.APIError>).status).toBe(503);

    await nats.start();
    const back = await waitFor(
      () => client.chat.completions.create({ model: 'vllm/cold', messages: [{ role: 'user', content: 'bus back' }] }),
      { timeoutMs: 20_000, what: 'routing to work again once NATS is back' },
    );
    expect(back.choices[0]?.message.content).toBe('You said: bus back');
  });
});
