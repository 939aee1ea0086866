import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RouterClient, SUBJECTS, type AgentRecord, type ModelRecord, type PlanRequest } from '@iir/contracts';
import { NatsBus, startService, type RunningService } from '@iir/platform';
import { requireService, TEST_NATS_URL, uniquePrefix, waitFor } from '@iir/testing';
import { routerService } from '../src/router.service-definition';

function model(name: string, extra: Partial<ModelRecord> = {}): ModelRecord {
  const [provider = 'p', id = name] = name.split('/');
  return {
    name, provider, kind: 'hosted', protocol: 'openai', baseUrl: `http://${provider}.test/v1`, upstreamModel: id,
    contextWindow: null, pricing: null, aliases: [], fallbacks: [], enabled: true,
    createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', ...extra,
  };
}

function agent(agentId: string, queueLength: number, extra: Partial<AgentRecord> = {}): AgentRecord {
  return {
    agentId, models: ['local/llama'], hardware: {}, maxConcurrency: 2, version: '1', queueLength, inFlight: 0,
    loadedModels: ['local/llama'], state: {}, registeredAt: '2026-01-01T00:00:00Z', lastHeartbeatAt: new Date().toISOString(),
    freshness: 'fresh', ...extra,
  };
}

const ROUTING = `
policies:
  - model: local/llama
    policy: least-loaded
  - model: local/mistral
    policy: soft-offload
    offload_to: [openai/gpt-4o-mini]
    queue_threshold: 4
    min_local_priority: 5
  - model: openai/gpt-4o-mini
    policy: weighted
    targets: [{ model: openai/gpt-4o-mini, weight: 80 }, { model: openrouter/gpt-4o-mini, weight: 20 }]
`;

describe('router policies over real NATS with a scripted registry and gateway reports', () => {
  let bus: NatsBus;
  let router: RunningService;
  let client: RouterClient;
  let dir: string;
  let routingFile: string;
  let agents: AgentRecord[] = [];
  let agentsVersion = 1;
  const catalogue = {
    models: [model('openai/gpt-4o-mini', { fallbacks: ['anthropic/claude-haiku'] }), model('openrouter/gpt-4o-mini'), model('anthropic/claude-haiku'), model('openai/gpt-4o')],
    version: 1,
  };
  const plan = (m: string, extra: Partial<PlanRequest> = {}) => client.plan({ requestId: 'r', model: m, stream: false, ...extra });
  const firstOf = async (m: string, extra: Partial<PlanRequest> = {}): Promise<string> => {
    const t = (await plan(m, extra)).targets[0];
    return t?.kind === 'agent' ? t.baseUrl : (t?.model ?? '');
  };
  const setAgents = (list: AgentRecord[]): void => {
    agents = list;
    agentsVersion++;
    bus.publish(SUBJECTS.registry.agentsChanged, { agentId: 'x', reason: 'fresh', version: agentsVersion });
  };

  beforeAll(async () => {
    await requireService('NATS', TEST_NATS_URL);
    dir = mkdtempSync(join(tmpdir(), 'iir-routing-'));
    routingFile = join(dir, 'routing.yaml');
    writeFileSync(routingFile, ROUTING);
    const prefix = uniquePrefix('rp');
    bus = await NatsBus.connect({ servers: TEST_NATS_URL, subjectPrefix: prefix });
    bus.handle(SUBJECTS.registry.listModels, () => catalogue, { queue: 'registry' });
    bus.handle(SUBJECTS.registry.listAgents, () => ({ agents, version: agentsVersion }), { queue: 'registry' });
    await bus.connection.flush();
    router = await startService(routerService, {
      NATS_URL: TEST_NATS_URL,
      NATS_SUBJECT_PREFIX: prefix,
      ROUTER_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      ROUTING_CONFIG: routingFile,
      ROUTING_CONFIG_POLL_MS: '100',
      ROUTER_AGENTS_REFRESH_MS: '60000',
      ROUTER_COOLDOWN_MS: '200',
      ROUTER_RANDOM_SEED: '7',
    });
    client = new RouterClient(bus);
    await waitFor(() => plan('openai/gpt-4o'), { what: 'the catalogue' });
  });

  afterAll(async () => {
    await router?.close();
    await bus?.drain();
    rmSync(dir, { recursive: true, force: true });
  });

  it('least-loaded: the less loaded agent first; a stale one is dropped, and used again when it returns', async () => {
    setAgents([agent('mac-a', 3), agent('mac-b', 1)]);
    await waitFor(async () => (await firstOf('local/llama')) === 'agent://mac-b', { what: 'mac-b first' });
    const p = await plan('local/llama');
    expect(p.targets.map((t) => t.baseUrl)).toEqual(['agent://mac-b', 'agent://mac-a']);
    expect(p).toMatchObject({ policy: 'least-loaded', cacheTtlMs: 0 });
    expect(p.targets[0]).toMatchObject({ kind: 'agent', protocol: 'agent', model: 'local/llama', upstreamModel: 'llama' });

    setAgents([agent('mac-a', 3)]); // mac-b went stale: the registry lists it no more
    await waitFor(async () => (await plan('local/llama')).targets.map((t) => t.baseUrl).join() === 'agent://mac-a', { what: 'only mac-a' });

    setAgents([agent('mac-a', 3), agent('mac-b', 0)]);
    await waitFor(async () => (await firstOf('local/llama')) === 'agent://mac-b', { what: 'mac-b back' });
  });

  it('soft-offload: remote first above the queue threshold, local below; a low-priority key is offloaded first when slots run out', async () => {
    const mistral = (id: string, queueLength: number, inFlight = 0): AgentRecord => agent(id, queueLength, { models: ['local/mistral'], inFlight });
    setAgents([mistral('m1', 7), mistral('m2', 9)]);
    await waitFor(async () => (await firstOf('local/mistral', { priority: 9 })) === 'openai/gpt-4o-mini', { what: 'offloaded' });
    expect((await plan('local/mistral', { priority: 9 })).reason).toContain('soft-offload: local queue 7 > threshold 4, offloaded to openai/gpt-4o-mini');

    setAgents([mistral('m1', 0)]);
    await waitFor(async () => (await firstOf('local/mistral', { priority: 0 })) === 'agent://m1', { what: 'local first' });

    setAgents([mistral('m1', 1, 2)]); // both slots busy, one queued: capacity is short
    await waitFor(async () => (await firstOf('local/mistral', { priority: 1 })) === 'openai/gpt-4o-mini', { what: 'low priority offloaded' });
    expect(await firstOf('local/mistral', { priority: 5 })).toBe('agent://m1');
  });

  it('weighted 80/20 over 1,000 plans lands within ±5%', async () => {
    const firsts = await Promise.all(Array.from({ length: 1_000 }, () => firstOf('openai/gpt-4o-mini')));
    const share = firsts.filter((m) => m === 'openai/gpt-4o-mini').length / 1_000;
    expect(share).toBeGreaterThanOrEqual(0.75);
    expect(share).toBeLessThanOrEqual(0.85);
  });

  it('cooldown: 3 reported failures in a row plan around the target, which is probed back after the cooldown', async () => {
    const failing = { model: 'openai/gpt-4o', provider: 'openai', baseUrl: 'http://openai.test/v1', latencyMs: 3 } as const;
    for (let i = 0; i < 3; i++) client.reportAttempt({ ...failing, outcome: 'error', status: 502 });
    const around = await waitFor(
      async () => {
        const p = await plan('openai/gpt-4o', { models: ['anthropic/claude-haiku'] });
        return p.targets[0]?.model === 'anthropic/claude-haiku' ? p : null;
      },
      { what: 'the failing target planned around' },
    );
    expect(around?.targets.map((t) => t.model)).toEqual(['anthropic/claude-haiku', 'openai/gpt-4o']);
    expect(around?.cacheTtlMs).toBe(0);
    const status = await client.status();
    expect(status.health).toContainEqual(expect.objectContaining({ model: 'openai/gpt-4o', state: 'open', consecutiveFailures: 3 }));

    // After the cooldown one plan carries the probe; its success closes the circuit.
    await waitFor(async () => (await firstOf('openai/gpt-4o', { models: ['anthropic/claude-haiku'] })) === 'openai/gpt-4o', {
      what: 'the probe',
      intervalMs: 50,
    });
    client.reportAttempt({ ...failing, outcome: 'ok', status: 200 });
    await waitFor(async () => (await client.status()).health.find((h) => h.model === 'openai/gpt-4o')?.state === 'closed', { what: 'closed' });
    expect(await plan('openai/gpt-4o')).toMatchObject({ policy: 'direct', cacheTtlMs: 5_000 });
  });

  it('reload: a changed routing.yaml changes plans without a restart; a broken one keeps the old policies', async () => {
    writeFileSync(routingFile, `${ROUTING}\n  - { model: openai/gpt-4o, policy: hard-offload, offload_to: [anthropic/claude-haiku] }\n`);
    await waitFor(async () => (await plan('openai/gpt-4o')).policy === 'hard-offload', { what: 'the new policy' });
    expect((await plan('openai/gpt-4o')).targets.map((t) => t.model)).toEqual(['anthropic/claude-haiku']);

    writeFileSync(routingFile, 'policies:\n  - { model: openai/gpt-4o, policy: hard-offload }\n');
    await waitFor(async () => (await client.status()).config.error?.includes('policies[0].offload_to'), { what: 'the error' });
    expect((await plan('openai/gpt-4o')).policy).toBe('hard-offload');

    const status = await client.status();
    expect(status.policies.map((p) => p.policy)).toEqual(['least-loaded', 'soft-offload', 'weighted', 'hard-offload']);
    expect(status.policies[2]).toMatchObject({ targets: [{ model: 'openai/gpt-4o-mini', weight: 80 }, { model: 'openrouter/gpt-4o-mini', weight: 20 }] });
    expect(status.agents.map((a) => a.agentId)).toEqual(['m1']);
    expect(status.cooldown).toEqual({ failures: 3, ms: 200 });
  });
});
