import path from 'node:path';
import { requireService, ServiceProcesses, TEST_NATS_URL, waitFor, type ServiceProcess } from '@iir/testing';
import OpenAI from 'openai';
import { E2eWorkspace, type SeparateService, type Started } from './support/e2e-stack';

const MODEL = 'local/stories-260k';
const ADMIN_KEY = 'local-agent-e2e-admin-key-0123456789';
const PROMPT = [{ role: 'user' as const, content: 'Once upon a time' }];

/** Runs `second` while a stream of up to `maxTokens` holds an agent slot (its first chunk is in), then ends that stream. */
async function whileStreaming<T>(client: OpenAI, maxTokens: number, second: () => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const holder = await client.chat.completions.create({ model: MODEL, messages: PROMPT, stream: true, max_tokens: maxTokens }, { signal: abort.signal });
  const iterator = holder[Symbol.asyncIterator]();
  await iterator.next();
  try {
    return await second();
  } finally {
    abort.abort();
    await iterator.return?.();
  }
}

/**
 * The real agent end to end: the `openai` SDK → gateway → router → an agent process of its own
 * (its own NATS connection and credential, like a Mac on a desk) running the bundled GGUF model with
 * node-llama-cpp on one thread. Every service is a separate process over the real NATS.
 */
describe('the local agent: a real tiny model behind IIR over NATS', () => {
  const procs = new ServiceProcesses();
  let ws: E2eWorkspace;
  let gateway: Started;
  let client: OpenAI;
  const agents = new Map<string, { proc: ServiceProcess; port: number }>();

  const env = (extra: Record<string, string> = {}): Record<string, string | undefined> =>
    ws.natsEnv({
      IIR_ADMIN_KEY: ADMIN_KEY,
      ROUTING_CONFIG: path.join(ws.dataDir, 'routing.yaml'),
      AGENT_HEARTBEAT_MS: '200',
      AGENT_STALE_AFTER_MS: '1000',
      ROUTER_AGENTS_REFRESH_MS: '200',
      ...extra,
    });
  const start = async (app: SeparateService): Promise<Started> => {
    const proc = procs.spawn(app, { env: env(), label: app });
    return { process: proc, port: await proc.waitForReady(app) };
  };
  const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
  const base = (): string => `http://127.0.0.1:${gateway.port}`;

  /** An admin issues the agent its credential; the agent then dials NATS with it. */
  const startAgent = async (agentId: string, extra: Record<string, string> = {}): Promise<{ proc: ServiceProcess; port: number }> => {
    const res = await fetch(`${base()}/api/v1/apikeys`, { method: 'POST', headers: admin, body: JSON.stringify({ role: 'agent', agent_id: agentId, description: agentId }) });
    expect(res.status).toBe(201);
    const { api_key: credential } = (await res.json()) as { api_key: string };
    const proc = procs.spawn('agent', {
      env: env({ AGENT_ID: agentId, AGENT_CREDENTIAL: credential, AGENT_BACKENDS: 'llama', AGENT_THREADS: '1', NODE_LLAMA_CPP_SKIP_DOWNLOAD: 'true', ...extra }),
      label: agentId,
    });
    const port = await proc.waitForReady('agent', { timeoutMs: 60_000 });
    await proc.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('registered'), { timeoutMs: 30_000, what: `${agentId} to register` });
    const started = { proc, port };
    agents.set(agentId, started);
    return started;
  };
  const routable = (): Promise<unknown> =>
    waitFor(async () => (await client.models.list()).data.some((m) => m.id === MODEL && (m as { available?: boolean }).available !== false), {
      timeoutMs: 20_000,
      what: `${MODEL} to be listed`,
    });
  const metric = async (port: number, name: string): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.split(' ')[1]) : NaN;
  };

  beforeAll(async () => {
    await requireService('NATS', TEST_NATS_URL);
    ws = new E2eWorkspace('localagent');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(ws.dataDir, 'routing.yaml'), "policies:\n  - { model: 'local/*', policy: least-loaded }\nagents:\n  pause_on_battery_below: 30\n");
    await Promise.all([start('registry'), start('auth')]);
    await start('router');
    gateway = await start('gateway');
    client = new OpenAI({ baseURL: `${base()}/v1`, apiKey: ADMIN_KEY, maxRetries: 0, timeout: 60_000 });
    await startAgent('mac-one', { AGENT_PARALLEL: '1', AGENT_QUEUE_MAX: '0' });
    await routable();
  }, 120_000);

  afterAll(async () => {
    await procs.killAll();
    ws?.dispose();
  });

  it('runs the model on the agent process’s own thread (no worker hop per token)', async () => {
    await client.chat.completions.create({ model: MODEL, messages: PROMPT, max_tokens: 2 });
    const line = await (agents.get('mac-one') as { proc: ServiceProcess }).proc.waitForLog((l) => l.msg === 'model loaded', { timeoutMs: 10_000, what: 'the model to load' });
    expect(line['engine']).toBe('agent-thread');
  });

  it("serves its owner's API on AGENT_PORT: OpenAI chat (200 JSON, SSE), models, /infer, errors in OpenAI's shape", async () => {
    const { port } = agents.get('mac-one') as { port: number };
    const local = `http://127.0.0.1:${port}`;
    const post = (route: string, body: unknown): Promise<Response> => fetch(`${local}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await post('/v1/chat/completions', { model: MODEL, messages: PROMPT, max_tokens: 4 });
    expect(json.status).toBe(200);
    expect(((await json.json()) as { choices: Array<{ finish_reason: string }> }).choices[0]?.finish_reason).toBe('length');
    const infer = await post('/infer', { model: MODEL, input: { prompt: 'Once upon a time', max_tokens: 4 } });
    expect(infer.status).toBe(200);
    expect(await infer.json()).toMatchObject({ model: MODEL, output: expect.any(String), finish_reason: 'length', usage: { completion_tokens: 4 } });
    const sdk = new OpenAI({ baseURL: `${local}/v1`, apiKey: 'unused', maxRetries: 0 });
    expect((await sdk.models.list()).data.map((m) => m.id)).toContain(MODEL);
    let streamed = '';
    for await (const chunk of await sdk.chat.completions.create({ model: MODEL, messages: PROMPT, max_tokens: 8, stream: true })) streamed += chunk.choices[0]?.delta?.content ?? '';
    expect(streamed.length).toBeGreaterThan(0);
    const unknown = await post('/v1/chat/completions', { model: 'local/nope', messages: PROMPT });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'model_not_found', param: 'model' } });
  });

  it('streams tokens from the model, with usage from its tokenizer', async () => {
    const stream = await client.chat.completions.create({ model: MODEL, messages: PROMPT, stream: true, stream_options: { include_usage: true }, max_tokens: 24 });
    let text = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | undefined;
    let deltas = 0;
    for await (const chunk of stream) {
      const c = chunk.choices[0];
      if (c?.delta.content) {
        text += c.delta.content;
        deltas++;
      }
      if (c?.finish_reason) finish = c.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.trim().length).toBeGreaterThan(0);
    expect(deltas).toBeGreaterThan(1);
    expect(['stop', 'length']).toContain(finish);
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeLessThanOrEqual(24);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
  });

  it('makes embeddings with the model over NATS: one vector per input, in order across batches, usage from its tokenizer', async () => {
    // 70 inputs: three bus requests of at most 32; the first and the last are the same text.
    const inputs = Array.from({ length: 70 }, (_, i) => (i === 0 || i === 69 ? 'Once upon a time' : `A dog ran ${i} times`));
    for (const encoding_format of ['float', 'base64'] as const) {
      const { data, response } = await client.embeddings.create({ model: MODEL, input: inputs, encoding_format }).withResponse();
      expect(response.headers.get('x-iir-target')).toBe(MODEL);
      expect(data.data.map((d) => d.index)).toEqual(inputs.map((_, i) => i));
      const vectors = data.data.map((d) => d.embedding);
      expect(vectors[0]?.length).toBeGreaterThan(8);
      expect(vectors[69]).toEqual(vectors[0]);
      expect(vectors[1]).not.toEqual(vectors[0]);
      expect(data.usage.prompt_tokens).toBeGreaterThanOrEqual(70 * 3);
    }
    const wrongSize = await client.embeddings.create({ model: MODEL, input: 'x', dimensions: 3 }).catch((e: unknown) => e);
    expect(wrongSize).toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('answers finish_reason length when max_tokens cuts the answer', async () => {
    const { data, response } = await client.chat.completions.create({ model: MODEL, messages: PROMPT, max_tokens: 3 }).withResponse();
    expect(data.choices[0]?.finish_reason).toBe('length');
    expect(data.usage?.completion_tokens).toBe(3);
    expect(response.headers.get('x-iir-target')).toBe(MODEL);
    expect(response.headers.get('x-iir-provider')).toBe('local');
  });

  it('heartbeats the machine state, shown by /routing', async () => {
    const routing = await waitFor(async () => {
      const body = (await (await fetch(`${base()}/routing`, { headers: admin })).json()) as { agents?: Array<{ agent_id: string; state?: Record<string, unknown> }> };
      const one = body.agents?.find((a) => a.agent_id === 'mac-one');
      return one?.state && 'power_source' in one.state ? one : undefined;
    }, { timeoutMs: 10_000, what: 'mac-one state in /routing' });
    if (!routing) throw new Error('unreachable');
    expect(routing.state).toMatchObject({ free_slots: expect.any(Number) });
    expect(['ac', 'battery', 'unknown']).toContain(routing.state?.['power_source']);
  });

  it('frees the slot at once when the client goes away mid-stream', async () => {
    const { port } = agents.get('mac-one') as { port: number };
    const abort = new AbortController();
    const stream = await client.chat.completions.create({ model: MODEL, messages: PROMPT, stream: true, max_tokens: 1500 }, { signal: abort.signal });
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) break; // leaving the loop aborts the request
    }
    abort.abort();
    await waitFor(async () => (await metric(port, 'iir_agent_in_flight')) === 0, { timeoutMs: 10_000, what: 'the slot to be free' });
    // One slot, no queue: this only succeeds because the aborted generation let go of it.
    const next = await client.chat.completions.create({ model: MODEL, messages: PROMPT, max_tokens: 2 });
    expect(next.choices[0]?.finish_reason).toBe('length');
  });

  it('answers 429 with Retry-After when the agent has no free slot and no queue room', async () => {
    const { port } = agents.get('mac-one') as { port: number };
    // Hold the only slot with a long generation, then ask again while it runs. The tiny model may
    // end its story early, so try until the second request met a busy agent.
    const refused = await waitFor(async () => {
      return whileStreaming(client, 1500, async () => {
        if ((await metric(port, 'iir_agent_in_flight')) !== 1) return undefined;
        const second = await client.chat.completions.create({ model: MODEL, messages: PROMPT, max_tokens: 2 }).then(() => undefined, (e: unknown) => e);
        return second instanceof OpenAI.APIError && second.status === 429 ? second : undefined;
      });
    }, { timeoutMs: 30_000, what: 'a 429 from the busy agent' });
    if (!refused) throw new Error('unreachable');
    expect(refused.headers?.get('retry-after')).toMatch(/^\d+$/);
    expect((refused.error as { message?: string } | undefined)?.message ?? refused.message).toMatch(/busy/);
  });

  it('moves traffic to another agent when one is killed, once it goes stale', async () => {
    // mac-two runs its model in a worker thread: the same greedy answer as mac-one's, on its own thread.
    const two = await startAgent('mac-two', { AGENT_PARALLEL: '2', AGENT_LLAMA_THREAD: 'worker' });
    const one = agents.get('mac-one') as { proc: ServiceProcess; port: number };
    const greedy = async (port: number): Promise<string> => {
      const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, messages: PROMPT, max_tokens: 16, temperature: 0 }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content ?? '';
    };
    const answer = await greedy(one.port);
    expect(answer.length).toBeGreaterThan(0);
    expect(await greedy(two.port)).toBe(answer);
    expect((await two.proc.waitForLog((l) => l.msg === 'model loaded', { what: 'mac-two to load its model' }))['engine']).toBe('worker');
    await one.proc.kill();
    const reason = await waitFor(async () => {
      const { response, data } = await client.chat.completions.create({ model: MODEL, messages: PROMPT, max_tokens: 2 }).withResponse();
      expect(data.choices[0]?.finish_reason).toBe('length');
      const why = response.headers.get('x-iir-route-reason') ?? '';
      return why.includes('mac-two') && !why.includes('mac-one') ? why : undefined;
    }, { timeoutMs: 15_000, what: 'mac-one to drop out of the plan' });
    expect(reason).toContain('least-loaded');
  });

  it('skips an agent on a low battery, and the receipt says why', async () => {
    await startAgent('mac-battery', { AGENT_STATE_OVERRIDES: JSON.stringify({ power_source: 'battery', battery_percent: 12 }) });
    const reason = await waitFor(async () => {
      const { response } = await client.chat.completions.create({ model: MODEL, messages: PROMPT, max_tokens: 2 }).withResponse();
      const why = response.headers.get('x-iir-route-reason') ?? '';
      return why.includes('skipped mac-battery') ? why : undefined;
    }, { timeoutMs: 15_000, what: 'the receipt to name the paused agent' });
    expect(reason).toContain('skipped mac-battery: on battery 12% < 30%');
    const routing = (await (await fetch(`${base()}/routing`, { headers: admin })).json()) as { agents: Array<{ agent_id: string; paused: boolean; paused_because: string | null }> };
    expect(routing.agents.find((a) => a.agent_id === 'mac-battery')).toMatchObject({ paused: true, paused_because: 'on battery 12% < 30%' });
  });

  it('refuses an agent without a credential, or with the credential of another agent, and never logs the secret', async () => {
    const bare = procs.spawn('agent', { env: env({ AGENT_ID: 'mac-nokey', AGENT_BACKENDS: 'llama' }), label: 'mac-nokey' });
    await bare.waitForLog((l) => l.msg === 'registration failed' && String(l['err']).includes('no credential'), { timeoutMs: 20_000, what: 'the refusal' });
    const res = await fetch(`${base()}/api/v1/apikeys`, { method: 'POST', headers: admin, body: JSON.stringify({ role: 'agent', agent_id: 'mac-other' }) });
    const { api_key: otherKey } = (await res.json()) as { api_key: string };
    const wrong = procs.spawn('agent', { env: env({ AGENT_ID: 'mac-wrong', AGENT_BACKENDS: 'llama', AGENT_CREDENTIAL: otherKey }), label: 'mac-wrong' });
    await wrong.waitForLog((l) => l.msg === 'registration failed' && String(l['err']).includes("may not speak for agent 'mac-wrong'"), { timeoutMs: 20_000, what: 'the refusal' });
    const listed = (await (await fetch(`${base()}/routing`, { headers: admin })).json()) as { agents: Array<{ agent_id: string }> };
    expect(listed.agents.map((a) => a.agent_id)).not.toEqual(expect.arrayContaining(['mac-nokey']));
    expect(listed.agents.map((a) => a.agent_id)).not.toContain('mac-wrong');
    for (const p of [...agents.values()].map((a) => a.proc).concat([wrong])) expect(p.output).not.toContain(otherKey);
    await Promise.all([bare.kill(), wrong.kill()]);
  });
});

/**
 * HTTP mode: an agent with no NATS registers and heartbeats over the gateway's /register and
 * /heartbeat, announces its URL, and the gateway calls it there (OpenAI protocol, streamed).
 */
describe('the local agent in HTTP mode (no NATS on the agent side)', () => {
  const procs = new ServiceProcesses();
  let ws: E2eWorkspace;
  let gateway: Started;
  let client: OpenAI;

  beforeAll(async () => {
    await requireService('NATS', TEST_NATS_URL);
    ws = new E2eWorkspace('httpagent');
    const env = ws.natsEnv({ IIR_ADMIN_KEY: ADMIN_KEY, AGENT_HEARTBEAT_MS: '200', AGENT_STALE_AFTER_MS: '2000', ROUTER_AGENTS_REFRESH_MS: '200' });
    const start = async (app: SeparateService): Promise<Started> => {
      const proc = procs.spawn(app, { env, label: app });
      return { process: proc, port: await proc.waitForReady(app) };
    };
    await Promise.all([start('registry'), start('auth')]);
    await start('router');
    gateway = await start('gateway');
    const base = `http://127.0.0.1:${gateway.port}`;
    const res = await fetch(`${base}/api/v1/apikeys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'agent', agent_id: 'http-mac' }),
    });
    const { api_key: credential } = (await res.json()) as { api_key: string };
    const agent = procs.spawn('agent', {
      env: ws.baseEnv({ NATS_URL: undefined, ROUTER_URL: base, AGENT_ID: 'http-mac', AGENT_CREDENTIAL: credential, AGENT_BACKENDS: 'llama', AGENT_HEARTBEAT_MS: '200', AGENT_QUEUE_MAX: '0', AGENT_CONTEXT_SIZE: '512' }),
      label: 'http-mac',
    });
    await agent.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('registered') && l.msg.includes('over http'), { timeoutMs: 30_000, what: 'the HTTP agent to register' });
    client = new OpenAI({ baseURL: `${base}/v1`, apiKey: ADMIN_KEY, maxRetries: 0 });
  }, 120_000);

  afterAll(async () => {
    await procs.killAll();
    ws?.dispose();
  });

  it('streams from the agent at its URL, and answers JSON', async () => {
    const answered = await waitFor(async () => client.chat.completions.create({ model: MODEL, messages: PROMPT, max_tokens: 4 }).withResponse().catch(() => undefined), {
      timeoutMs: 15_000,
      what: 'the HTTP agent to be routable',
    });
    if (!answered) throw new Error('unreachable');
    const { data, response } = answered;
    expect(data.choices[0]?.finish_reason).toBe('length');
    expect(data.usage?.completion_tokens).toBe(4);
    expect(response.headers.get('x-iir-target')).toBe(MODEL);
    const stream = await client.chat.completions.create({ model: MODEL, messages: PROMPT, max_tokens: 8, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text.length).toBeGreaterThan(0);
  });

  it('makes embeddings at the agent’s URL (its own /v1/embeddings)', async () => {
    const { data, response } = await client.embeddings.create({ model: MODEL, input: 'Once upon a time', encoding_format: 'float' }).withResponse();
    expect(response.headers.get('x-iir-target')).toBe(MODEL);
    expect(data.data[0]?.embedding.length).toBeGreaterThan(8);
  });

  it("surfaces the agent's errors in OpenAI's shape", async () => {
    // Valid for the gateway, too long for this agent's 512-token context: the agent's own 400.
    const long = [{ role: 'user' as const, content: 'Once upon a time there was a little dog. '.repeat(100) }];
    const bad = await client.chat.completions.create({ model: MODEL, messages: long, max_tokens: 4 }).then(() => undefined, (e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenAI.APIError);
    const error = bad as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/context holds 512/);
  });

  it("honours a busy HTTP agent's 429: waits its Retry-After and tries again", async () => {
    // One slot, no queue (AGENT_QUEUE_MAX=0): a second request while a stream holds the slot gets the
    // agent's 429 with Retry-After; the gateway waits that long and tries again (x-iir-attempts: 2)
    // instead of failing the client. The tiny model may end early: try until it met a busy agent.
    const retried = await waitFor(async () => {
      return whileStreaming(client, 400, async () => {
        const started = Date.now();
        const { data, response } = await client.chat.completions.create({ model: MODEL, messages: PROMPT, max_tokens: 2 }).withResponse();
        return response.headers.get('x-iir-attempts') === '2' ? { data, waitedMs: Date.now() - started } : undefined;
      });
    }, { timeoutMs: 30_000, what: 'a request that met the busy HTTP agent' });
    if (!retried) throw new Error('unreachable');
    expect(retried.data.choices[0]?.finish_reason).toBe('length');
    expect(retried.waitedMs).toBeGreaterThanOrEqual(900);
  });
});
