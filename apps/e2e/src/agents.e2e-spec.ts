import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { agentChatSubject, RegistryClient, type AgentHeartbeat, type ChatCompletionChunk } from '@iir/contracts';
import { NatsBus } from '@iir/platform';
import { requireService, ServiceProcesses, TEST_NATS_URL, waitFor } from '@iir/testing';
import OpenAI from 'openai';
import { E2eWorkspace, type SeparateService, type Started } from './support/e2e-stack';

const MODEL = 'local/echo';

/** A scripted Mac agent: registers, heartbeats with a given queue length, answers chats over NATS. */
class ScriptedAgent {
  queueLength = 0;
  served = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Made at start, like a real agent's: the registry holds this id to it while the agent is live. */
  private readonly instanceToken = randomBytes(32).toString('hex');

  constructor(
    readonly id: string,
    private readonly bus: NatsBus,
    private readonly registry: RegistryClient,
  ) {
    bus.handleStream(agentChatSubject(id), async function* (this: void, payload) {
      const body = payload as { messages: Array<{ content: string }> };
      const base = { id: `chatcmpl-${Date.now()}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: 'echo' };
      yield { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: `${id} says: ${body.messages.at(-1)?.content ?? ''}` }, finish_reason: null }] } as ChatCompletionChunk;
      yield { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } } as ChatCompletionChunk;
    });
  }

  async register(): Promise<void> {
    await this.registry.registerAgent({ agentId: this.id, models: [MODEL], hardware: { cores: 8, memoryGb: 16, accelerator: 'apple-silicon' }, maxConcurrency: 4, version: 'e2e', instanceToken: this.instanceToken });
  }

  beat(): Promise<unknown> {
    const hb: AgentHeartbeat = { agentId: this.id, queueLength: this.queueLength, inFlight: 0, loadedModels: [MODEL], state: { power: 'ac' }, sentAt: new Date().toISOString(), instanceToken: this.instanceToken };
    return this.registry.agentHeartbeat(hb).catch(() => undefined);
  }

  startBeating(everyMs: number): void {
    this.stopBeating();
    this.timer = setInterval(() => {
      this.beat().catch(() => undefined);
    }, everyMs);
  }

  stopBeating(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/**
 * Agents end to end: the real registry (registration, heartbeats, staleness), the real router
 * (least-loaded over the registry's agents) and the real gateway (the agent adapter over NATS),
 * with two scripted agents and the openai SDK as the client.
 */
describe('agents: registration, least-loaded routing and staleness (separate processes over NATS)', () => {
  const procs = new ServiceProcesses();
  let ws: E2eWorkspace;
  let bus: NatsBus;
  let gateway: Started;
  let client: OpenAI;
  let a1: ScriptedAgent;
  let a2: ScriptedAgent;

  const env = (): Record<string, string | undefined> =>
    ws.natsEnv({
      ROUTING_CONFIG: path.join(ws.dataDir, 'routing.yaml'),
      AGENT_HEARTBEAT_MS: '100',
      AGENT_STALE_AFTER_MS: '500',
      ROUTER_AGENTS_REFRESH_MS: '200',
      // No auth service here: these scripted agents test routing and staleness; credentials are
      // tested with the real auth service in local-agent.e2e-spec.ts.
      AGENT_AUTH: 'off',
    });
  const start = async (app: SeparateService): Promise<Started> => {
    const proc = procs.spawn(app, { env: env(), label: app });
    return { process: proc, port: await proc.waitForReady(app) };
  };
  const answeredBy = async (): Promise<string> => {
    const { data, response } = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hello' }] }).withResponse();
    expect(response.headers.get('x-iir-policy')).toBe('least-loaded');
    return (data.choices[0]?.message.content ?? '').split(' ')[0] ?? '';
  };

  beforeAll(async () => {
    await requireService('NATS', TEST_NATS_URL);
    ws = new E2eWorkspace('agents');
    writeFileSync(ws.seedFile, `models:\n  - { name: ${MODEL}, provider: local, kind: agent, protocol: agent, upstream_model: echo }\n`);
    writeFileSync(path.join(ws.dataDir, 'routing.yaml'), "policies:\n  - { model: 'local/*', policy: least-loaded }\n");
    await start('registry');
    await start('router');
    gateway = await start('gateway');
    client = new OpenAI({ baseURL: `http://127.0.0.1:${gateway.port}/v1`, apiKey: 'none', maxRetries: 0 });
    bus = await NatsBus.connect({ servers: TEST_NATS_URL, subjectPrefix: ws.prefix });
    const registry = new RegistryClient(bus, 5_000);
    a1 = new ScriptedAgent('mac-a1', bus, registry);
    a2 = new ScriptedAgent('mac-a2', bus, registry);
    await bus.connection.flush();
    await Promise.all([a1.register(), a2.register()]);
    a2.queueLength = 5;
    a1.startBeating(100);
    a2.startBeating(100);
  }, 60_000);

  afterAll(async () => {
    a1?.stopBeating();
    a2?.stopBeating();
    await bus?.drain();
    await procs.killAll();
    ws?.dispose();
  });

  it('sends traffic to the less loaded agent', async () => {
    await waitFor(async () => (await answeredBy().catch(() => '')) === 'mac-a1', { timeoutMs: 10_000, what: 'the less loaded agent to answer' });
    for (let i = 0; i < 5; i++) expect(await answeredBy()).toBe('mac-a1');
  });

  it('marks an agent that stops heartbeating stale, moves traffic, and uses it again when it returns', async () => {
    a1.stopBeating();
    await waitFor(async () => (await answeredBy()) === 'mac-a2', { timeoutMs: 5_000, what: 'traffic to move to mac-a2' });
    const listed = await new RegistryClient(bus).listAgents({ includeStale: true });
    expect(listed.agents.find((a) => a.agentId === 'mac-a1')?.freshness).toBe('stale');
    const models = (await client.models.list()).data as Array<{ id: string; available?: boolean }>;
    expect(models.find((m) => m.id === MODEL)?.available).toBe(true); // mac-a2 still serves it

    a1.startBeating(100);
    await waitFor(async () => (await answeredBy()) === 'mac-a1', { timeoutMs: 5_000, what: 'mac-a1 to be used again' });
  });

  it("includes the registered agents' hardware in the registry status", async () => {
    const status = await new RegistryClient(bus).hardwareStatus();
    expect(status.agents?.find((a) => a.agentId === 'mac-a2')).toMatchObject({ hardware: { cores: 8, memoryGb: 16, accelerator: 'apple-silicon' }, models: [MODEL] });
  });

  it('streams an answer from an agent through the gateway', async () => {
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'stream it' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('mac-a1 says: stream it');
  });

  it('shows the model as unavailable once no agent is fresh', async () => {
    a1.stopBeating();
    a2.stopBeating();
    await waitFor(
      async () => {
        const models = (await client.models.list()).data as Array<{ id: string; available?: boolean }>;
        return models.find((m) => m.id === MODEL)?.available === false;
      },
      { timeoutMs: 5_000, what: 'the model to show as unavailable' },
    );
    await expect(client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'anyone?' }] })).rejects.toMatchObject({ status: 503 });
  });
});
