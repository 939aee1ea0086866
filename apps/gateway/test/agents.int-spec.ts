import { createHash } from 'node:crypto';
import {
  agentBaseUrl,
  agentChatSubject,
  BusError,
  SUBJECTS,
  type AgentRecord,
  type AgentsListResponse,
  type ApiKeyInfo,
  type ChatCompletionChunk,
  type KeyVerifyResponse,
  type ChatCompletionRequest,
} from '@iir/contracts';
import type { NatsBus } from '@iir/platform';
import { FakeOpenAIServer, OpenAISpec, waitFor } from '@iir/testing';
import OpenAI from 'openai';
import { GatewayHarness, modelRecord, target } from './gateway-harness';

const KEY = 'agent-test-key';
const ADMIN = 'agent-test-admin-key';
const TOKEN = 'a1-instance-token-0123456789abcdef';
const A1_KEY = 'iir-agent-key-for-a1-0123456789';
const A2_KEY = 'iir-agent-key-for-a2-0123456789';
const agentKey = (id: string, agentId: string): ApiKeyInfo => ({
  id, displayPrefix: 'iir-agent', description: agentId, role: 'agent', agentId, priority: 0, rpm: null, tpm: null, allowedModels: [],
  expiresAt: null, createdAt: '2026-01-01T00:00:00.000Z', revokedAt: null,
});
const AGENT_KEYS = new Map([
  [createHash('sha256').update(A1_KEY).digest('hex'), agentKey('k-a1', 'a1')],
  [createHash('sha256').update(A2_KEY).digest('hex'), agentKey('k-a2', 'a2')],
]);
const agentTarget = (agentId: string, model = 'local/echo') =>
  target(model, agentBaseUrl(agentId), { provider: 'local', kind: 'agent', protocol: 'agent', upstreamModel: 'echo' });

function chunk(delta: ChatCompletionChunk['choices'][number]['delta'], finish: 'stop' | null = null): ChatCompletionChunk {
  return {
    id: 'chatcmpl-agent-1',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'echo',
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  };
}

function record(agentId: string, overrides: Partial<AgentRecord> = {}): AgentRecord {
  return {
    agentId,
    models: ['local/echo'],
    hardware: { cores: 8, memoryGb: 32 },
    maxConcurrency: 2,
    version: '0.1.0',
    queueLength: 0,
    inFlight: 0,
    loadedModels: [],
    state: {},
    registeredAt: '2026-01-01T00:00:00.000Z',
    lastHeartbeatAt: null,
    freshness: 'fresh',
    ...overrides,
  };
}

describe('gateway ↔ agents (real NATS, a scripted agent, scripted router and registry)', () => {
  const spec = OpenAISpec.load();
  const h = new GatewayHarness();
  const backup = new FakeOpenAIServer();
  const received: ChatCompletionRequest[] = [];
  let aborted = false;
  let client: OpenAI;
  let agents: AgentsListResponse = { agents: [], version: 1 };
  const registered: unknown[] = [];
  const heartbeats: unknown[] = [];

  beforeAll(async () => {
    await backup.start();
    await h.start({ GATEWAY_API_KEYS: KEY, IIR_ADMIN_KEY: ADMIN });
    // The scripted agent a1: echoes the last user message word by word, usage last when asked.
    h.bus.handleStream(agentChatSubject('a1'), async function* (payload, ctx) {
      const body = payload as ChatCompletionRequest;
      received.push(body);
      const said = String(body.messages[body.messages.length - 1]?.content ?? '');
      if (said === 'bad request') throw new BusError('invalid_request_error', 'temperature is too high for me', { param: 'temperature' });
      try {
        yield chunk({ role: 'assistant', content: '' });
        const words = `You said: ${said}`.split(/(?= )/);
        for (const word of words) {
          if (said === 'slow') await new Promise((r) => setTimeout(r, 50));
          if (ctx.signal.aborted) return;
          yield chunk({ content: word });
        }
        if (said === 'slow') {
          for (let i = 0; i < 200 && !ctx.signal.aborted; i++) {
            await new Promise((r) => setTimeout(r, 20));
            yield chunk({ content: '.' });
          }
          return;
        }
        yield chunk({}, 'stop');
        if (body.stream_options?.include_usage) {
          yield { ...chunk({}), choices: [], usage: { prompt_tokens: 5, completion_tokens: words.length, total_tokens: 5 + words.length } };
        }
      } finally {
        // The loop saw the signal, or the bus stopped iterating (return()): either way it was told.
        if (said === 'slow') aborted = ctx.signal.aborted;
      }
    }, { queue: 'agent-a1' });
    h.bus.handle(SUBJECTS.registry.listAgents, () => agents, { queue: 'registry' });
    h.bus.handle(SUBJECTS.registry.registerAgent, (payload) => {
      registered.push(payload);
      return record((payload as { agentId: string }).agentId);
    }, { queue: 'registry' });
    h.bus.handle(SUBJECTS.registry.agentHeartbeat, (payload) => {
      const beat = payload as { agentId: string; queueLength?: unknown };
      heartbeats.push(payload);
      if (beat.agentId !== 'a1') throw new BusError('not_found', `No agent '${beat.agentId}' is registered; register it first.`, { param: 'agentId' });
      if (typeof beat.queueLength !== 'number') throw new BusError('invalid_request_error', "'queueLength' must be a whole number.", { param: 'queueLength' });
      return record('a1', { queueLength: beat.queueLength, lastHeartbeatAt: '2026-01-01T00:00:05.000Z' });
    }, { queue: 'registry' });
    // auth, as it answers for the two agent keys (the rest of the keys are static or the admin's).
    h.bus.handle(SUBJECTS.auth.verifyKey, (payload): KeyVerifyResponse => {
      const found = AGENT_KEYS.get((payload as { hash: string }).hash);
      return found ? { key: found, usable: true } : { usable: false, reason: 'unknown' };
    }, { queue: 'auth' });
    await (h.bus as NatsBus).connection.flush();
    h.routes.set('local/echo', [agentTarget('a1')]);
    h.routes.set('local/gone', [agentTarget('nobody', 'local/gone'), target('fake/backup', backup.baseUrl)]);
    h.models = [
      modelRecord('local/echo', { provider: 'local', kind: 'agent', protocol: 'agent', baseUrl: '', aliases: ['echo'] }),
      modelRecord('local/orphan', { provider: 'local', kind: 'agent', protocol: 'agent', baseUrl: '' }),
      modelRecord('fake/backup'),
    ];
    client = new OpenAI({ baseURL: `${h.baseUrl}/v1`, apiKey: KEY, maxRetries: 0 });
  });

  afterAll(async () => {
    await h.stop();
    await backup.close();
  });

  it('answers a JSON chat completion from an agent over the bus, folded from its chunks', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'local/echo', messages: [{ role: 'user', content: 'hello agent' }] })
      .withResponse();
    expect(data.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'You said: hello agent' });
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage).toEqual({ prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 });
    expect(spec.errors('CreateChatCompletionResponse', data)).toEqual([]);
    expect(response.headers.get('x-iir-target')).toBe('local/echo');
    expect(response.headers.get('x-iir-provider')).toBe('local');
    // The agent gets its own model id, as a stream that reports usage.
    expect(received[received.length - 1]).toMatchObject({ model: 'echo', stream: true, stream_options: { include_usage: true } });
  });

  it('streams an agent’s chunks to the client, with usage only when include_usage is asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'local/echo',
      messages: [{ role: 'user', content: 'stream it' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const c of stream) {
      expect(spec.errors('CreateChatCompletionStreamResponse', c)).toEqual([]);
      text += c.choices[0]?.delta.content ?? '';
      if (c.usage) usage = c.usage;
    }
    expect(text).toBe('You said: stream it');
    expect(usage?.total_tokens).toBe(9);

    const plain = await client.chat.completions.create({ model: 'local/echo', messages: [{ role: 'user', content: 'x' }], stream: true });
    for await (const c of plain) expect(c.usage ?? undefined).toBeUndefined();
  });

  it('falls back to the plan’s next target when the agent is not connected (no responders)', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'local/gone', messages: [{ role: 'user', content: 'anyone?' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('You said: anyone?');
    expect(response.headers.get('x-iir-target')).toBe('fake/backup');

    const stream = await client.chat.completions.create({ model: 'local/gone', messages: [{ role: 'user', content: 'still?' }], stream: true });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    expect(text).toBe('You said: still?');
  });

  it('answers 503 naming the agent when it is the only target and not connected', async () => {
    h.routes.set('local/lonely', [agentTarget('nobody', 'local/lonely')]);
    const res = await fetch(`${h.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: 'local/lonely', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({ code: 'upstream_unavailable', message: expect.stringContaining("agent 'nobody' is not connected") });
  });

  it('passes an agent’s refusal of the request back as a 400 naming the parameter', async () => {
    const error = await client.chat.completions
      .create({ model: 'local/echo', messages: [{ role: 'user', content: 'bad request' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: 'temperature', message: expect.stringContaining('temperature is too high') });
  });

  it('tells the agent to stop when the client goes away mid-stream', async () => {
    aborted = false;
    const controller = new AbortController();
    const res = await fetch(`${h.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: 'local/echo', messages: [{ role: 'user', content: 'slow' }], stream: true }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await waitFor(() => aborted, { timeoutMs: 5_000, what: 'the agent to see the abort' });
  });

  it('shows agent models as available only while a fresh agent serves them', async () => {
    agents = { agents: [record('a1')], version: 2 };
    h.bus.publish(SUBJECTS.registry.agentsChanged, { agentId: 'a1', reason: 'registered', version: 2 });
    const availability = async (): Promise<Record<string, boolean | undefined>> => {
      const res = await fetch(`${h.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } });
      const list = (await res.json()) as { data: Array<{ id: string; available?: boolean }> };
      return Object.fromEntries(list.data.map((m) => [m.id, m.available]));
    };
    await waitFor(async () => (await availability())['local/echo'] === true, { what: 'local/echo available' });
    expect(await availability()).toEqual({ 'local/echo': true, 'local/orphan': false, 'fake/backup': undefined });
    const one = await (await fetch(`${h.baseUrl}/v1/models/echo`, { headers: { authorization: `Bearer ${KEY}` } })).json();
    expect(one).toMatchObject({ id: 'local/echo', kind: 'agent', available: true });

    agents = { agents: [], version: 3 };
    h.bus.publish(SUBJECTS.registry.agentsChanged, { agentId: 'a1', reason: 'stale', version: 3 });
    await waitFor(async () => (await availability())['local/echo'] === false, { what: 'local/echo unavailable once a1 is stale' });
  });

  it('lists a model only an agent announces (no registry row) while a fresh agent serves it', async () => {
    agents = { agents: [record('a1', { models: ['local/echo', 'local/stories-260k'] })], version: 4 };
    h.bus.publish(SUBJECTS.registry.agentsChanged, { agentId: 'a1', reason: 'registered', version: 4 });
    const ids = async (): Promise<string[]> => {
      const list = (await (await fetch(`${h.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as { data: Array<{ id: string }> };
      return list.data.map((m) => m.id);
    };
    await waitFor(async () => (await ids()).includes('local/stories-260k'), { what: 'local/stories-260k listed' });
    const one = await (await fetch(`${h.baseUrl}/v1/models/local/stories-260k`, { headers: { authorization: `Bearer ${KEY}` } })).json();
    expect(one).toMatchObject({ id: 'local/stories-260k', object: 'model', kind: 'agent', provider: 'local', available: true });

    agents = { agents: [], version: 5 };
    h.bus.publish(SUBJECTS.registry.agentsChanged, { agentId: 'a1', reason: 'stale', version: 5 });
    await waitFor(async () => !(await ids()).includes('local/stories-260k'), { what: 'local/stories-260k gone once a1 is stale' });
    expect((await fetch(`${h.baseUrl}/v1/models/local/stories-260k`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(404);
  });

  it('POST /register forwards a snake_case registration to the registry and answers in snake_case', async () => {
    const res = await fetch(`${h.baseUrl}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({
        agent_id: 'a1',
        models: ['local/echo'],
        hardware: { cores: 8, memory_gb: 32 },
        max_concurrency: 2,
        version: '0.1.0',
        instance_token: TOKEN,
      }),
    });
    expect(res.status).toBe(200);
    expect(registered[registered.length - 1]).toEqual({
      agentId: 'a1',
      models: ['local/echo'],
      hardware: { cores: 8, memoryGb: 32 },
      maxConcurrency: 2,
      version: '0.1.0',
      instanceToken: TOKEN,
      credential: ADMIN,
    });
    expect(await res.json()).toMatchObject({ object: 'agent', agent_id: 'a1', max_concurrency: 2, hardware: { memory_gb: 32 }, freshness: 'fresh' });
  });

  it('POST /heartbeat takes camelCase too; an unknown agent gets 404 not_found, a bad field 400 naming it', async () => {
    const post = (body: unknown, key: string | undefined = ADMIN): Promise<Response> =>
      fetch(`${h.baseUrl}/heartbeat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify(body),
      });
    const ok = await post({ agentId: 'a1', queueLength: 2, in_flight: 1, loaded_models: ['local/echo'], state: { power: 'ac' } });
    expect(ok.status).toBe(200);
    expect(heartbeats[heartbeats.length - 1]).toEqual({ agentId: 'a1', queueLength: 2, inFlight: 1, loadedModels: ['local/echo'], state: { power: 'ac' }, credential: ADMIN });
    expect(await ok.json()).toMatchObject({ agent_id: 'a1', queue_length: 2, last_heartbeat_at: '2026-01-01T00:00:05.000Z' });

    const unknown = await post({ agent_id: 'ghost', queue_length: 0 });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('not_found');

    const bad = await post({ agent_id: 'a1', queue_length: 'lots' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('queueLength');

    expect((await post([1, 2])).status).toBe(400);
  });

  it('refuses /register and /heartbeat without a key (401) or with a user key (403), in the OpenAI error shape', async () => {
    const before = registered.length + heartbeats.length;
    for (const path of ['/register', '/heartbeat']) {
      const send = (key?: string): Promise<Response> =>
        fetch(`${h.baseUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
          body: JSON.stringify({ agent_id: 'a1', models: ['evil/model'], max_concurrency: 1, version: 'x', queue_length: 0 }),
        });
      for (const [key, status, code] of [[undefined, 401, 'invalid_api_key'], ['nope-nope-nope', 401, 'invalid_api_key'], [KEY, 403, 'permission_denied']] as const) {
        const res = await send(key);
        expect(res.status).toBe(status);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        const body = (await res.json()) as { error: Record<string, unknown> };
        expect(body).toEqual({ error: { message: expect.any(String), type: expect.any(String), param: null, code } });
      }
    }
    expect(registered.length + heartbeats.length).toBe(before);
  });

  it("lets an agent key register and heartbeat its own id only, forwarding it as the agent's credential", async () => {
    const post = (path: string, key: string, agentId: string): Promise<Response> =>
      fetch(`${h.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ agent_id: agentId, models: ['local/echo'], max_concurrency: 1, version: 'x', hardware: {}, queue_length: 0, in_flight: 0 }),
      });
    const own = await post('/register', A1_KEY, 'a1');
    expect(own.status).toBe(200);
    expect(registered.at(-1)).toMatchObject({ agentId: 'a1', credential: A1_KEY });
    expect((await post('/heartbeat', A1_KEY, 'a1')).status).toBe(200);
    for (const path of ['/register', '/heartbeat']) {
      const other = await post(path, A2_KEY, 'a1');
      expect(other.status).toBe(403);
      expect(((await other.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'permission_denied', message: expect.stringContaining("speaks for 'a2'") });
    }
  });

  it('refuses an agent key everywhere but /register and /heartbeat', async () => {
    const auth = { authorization: `Bearer ${A1_KEY}`, 'content-type': 'application/json' };
    const chat = await fetch(`${h.baseUrl}/v1/chat/completions`, { method: 'POST', headers: auth, body: JSON.stringify({ model: 'local/echo', messages: [{ role: 'user', content: 'hi' }] }) });
    expect(chat.status).toBe(403);
    expect(((await chat.json()) as { error: { code: string } }).error.code).toBe('permission_denied');
    expect((await fetch(`${h.baseUrl}/v1/models`, { headers: auth })).status).toBe(403);
    expect((await fetch(`${h.baseUrl}/api/v1/apikeys`, { method: 'POST', headers: auth, body: '{"role":"admin"}' })).status).toBe(403);
    expect((await fetch(`${h.baseUrl}/routing`, { headers: auth })).status).toBe(403);
  });

  it('refuses /register and /heartbeat with 401 on an open gateway too', async () => {
    const open = new GatewayHarness();
    await open.start({});
    try {
      for (const path of ['/register', '/heartbeat']) {
        const res = await fetch(`${open.baseUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"agent_id":"a1","models":[],"version":"x"}',
        });
        expect(res.status).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
      }
    } finally {
      await open.stop();
    }
  });
});
