import type { AgentRecord, ModelRecord, PlanRequest } from '@iir/contracts';
import { AgentsView } from '../agents/agents-view';
import { Catalog } from '../catalog/catalog';
import { TargetHealth } from '../health/target-health';
import { Planner } from '../plan/planner';
import { PolicyPlanner, type RoutingState } from './policy-planner';
import { seededRandom } from '@iir/platform';
import { parseRoutingConfig } from './routing-config';

function model(name: string, extra: Partial<ModelRecord> = {}): ModelRecord {
  const [provider = 'p', id = name] = name.split('/');
  return {
    name, provider, kind: 'hosted', protocol: 'openai', baseUrl: `https://${provider}.example/v1`, upstreamModel: id,
    contextWindow: null, pricing: null, aliases: [], fallbacks: [], enabled: true,
    createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', ...extra,
  };
}

function agent(agentId: string, extra: Partial<AgentRecord> = {}): AgentRecord {
  return {
    agentId, models: ['local/llama'], hardware: {}, maxConcurrency: 4, version: '1', queueLength: 0, inFlight: 0,
    loadedModels: [], state: {}, registeredAt: '2026-01-01T00:00:00Z', lastHeartbeatAt: '2026-01-01T00:00:00Z',
    freshness: 'fresh', ...extra,
  };
}

const catalog = new Catalog(1, [
  model('openai/gpt-4o-mini', { fallbacks: ['anthropic/claude-haiku'] }),
  model('openrouter/gpt-4o-mini'),
  model('anthropic/claude-haiku'),
  model('local/llama', { kind: 'agent', protocol: 'agent', baseUrl: '', fallbacks: ['openai/gpt-4o-mini'] }),
  model('openai/gpt-4o'),
]);

const policies = parseRoutingConfig(`
policies:
  - model: openai/gpt-4o-mini
    policy: weighted
    targets: [{ model: openai/gpt-4o-mini, weight: 80 }, { model: openrouter/gpt-4o-mini, weight: 20 }]
  - model: local/llama
    policy: soft-offload
    offload_to: [openai/gpt-4o]
    queue_threshold: 4
    min_local_priority: 5
  - model: local/*
    policy: least-loaded
  - model: offload/*
    policy: hard-offload
    offload_to: [openai/gpt-4o]
`);

function state(agents: AgentRecord[] = [], health = new TargetHealth({ failures: 3, cooldownMs: 1_000 })): RoutingState {
  return { catalog, policies, agents: new AgentsView(1, agents), health };
}
const planner = new PolicyPlanner(new Planner(5_000), seededRandom(42));
const req = (model: string, extra: Partial<PlanRequest> = {}): PlanRequest => ({ requestId: 'r', model, stream: false, ...extra });
const order = (s: RoutingState, r: PlanRequest): string[] => planner.plan(s, r).targets.map((t) => (t.kind === 'agent' ? t.baseUrl : t.model));

describe(PolicyPlanner.name, () => {
  it('weighted 80/20 over 1,000 plans lands within ±5%, the other target and the registry fallbacks after it', () => {
    const s = state();
    let first = 0;
    for (let i = 0; i < 1_000; i++) {
      const p = planner.plan(s, req('openai/gpt-4o-mini'));
      if (p.targets[0]?.model === 'openai/gpt-4o-mini') {
        first++;
        expect(p.targets.map((t) => t.model)).toEqual(['openai/gpt-4o-mini', 'openrouter/gpt-4o-mini', 'anthropic/claude-haiku']);
      } else {
        expect(p.targets.map((t) => t.model)).toEqual(['openrouter/gpt-4o-mini', 'openai/gpt-4o-mini', 'anthropic/claude-haiku']);
      }
      expect(p).toMatchObject({ policy: 'weighted', cacheTtlMs: 0 });
    }
    expect(first / 1_000).toBeGreaterThanOrEqual(0.75);
    expect(first / 1_000).toBeLessThanOrEqual(0.85);
  });

  it('least-loaded: one agent target per fresh agent, by queue then in-flight share; stale agents never', () => {
    const s = state([
      agent('busy', { models: ['local/qwen'], queueLength: 3 }),
      agent('idle', { models: ['local/qwen'], queueLength: 0, inFlight: 3 }),
      agent('idler', { models: ['local/qwen'], queueLength: 0, inFlight: 1 }),
      agent('gone', { models: ['local/qwen'], freshness: 'stale' }),
    ]);
    const p = planner.plan(s, req('local/qwen'));
    expect(p.targets.map((t) => t.baseUrl)).toEqual(['agent://idler', 'agent://idle', 'agent://busy']);
    expect(p.targets[0]).toEqual({
      model: 'local/qwen', provider: 'local', kind: 'agent', protocol: 'agent', baseUrl: 'agent://idler', upstreamModel: 'qwen',
    });
    expect(p.reason).toBe('least-loaded: agent idler (queue 0, 1/4 in flight) first of 3 fresh agents');
    expect(p.cacheTtlMs).toBe(0);
  });

  it('least-loaded with no fresh agent fails with no_target_available, naming why', () => {
    expect(() => planner.plan(state([agent('gone', { models: ['local/qwen'], freshness: 'stale' })]), req('local/qwen'))).toThrow(
      expect.objectContaining({ code: 'no_target_available', message: expect.stringContaining('no fresh agent serves local/qwen') }),
    );
  });

  it('soft-offload: local first while a queue is under the threshold, then the remote and the fallbacks', () => {
    const s = state([agent('a', { queueLength: 2 }), agent('b', { queueLength: 4 })]);
    const p = planner.plan(s, req('local/llama', { priority: 9 }));
    expect(p.targets.map((t) => (t.kind === 'agent' ? t.baseUrl : t.model))).toEqual(['agent://a', 'agent://b', 'openai/gpt-4o', 'openai/gpt-4o-mini']);
    expect(p.targets[0]).toMatchObject({ model: 'local/llama', provider: 'local', upstreamModel: 'llama' });
    expect(p.reason).toBe('soft-offload: local queue 2 <= threshold 4, agent a first; 1 fallback');
  });

  it('soft-offload: every local queue above the threshold sends the request to the remote first', () => {
    const s = state([agent('a', { queueLength: 7 }), agent('b', { queueLength: 9 })]);
    const p = planner.plan(s, req('local/llama', { priority: 9 }));
    expect(order(s, req('local/llama', { priority: 9 }))).toEqual(['openai/gpt-4o', 'agent://a', 'agent://b', 'openai/gpt-4o-mini']);
    expect(p.reason).toContain('soft-offload: local queue 7 > threshold 4, offloaded to openai/gpt-4o');
  });

  it('soft-offload: with no fresh agent the remote goes first', () => {
    const s = state([agent('a', { freshness: 'stale' })]);
    expect(order(s, req('local/llama'))).toEqual(['openai/gpt-4o', 'openai/gpt-4o-mini']);
    expect(planner.plan(s, req('local/llama')).reason).toContain('no fresh agent serves local/llama');
  });

  it('soft-offload: when no agent has a free slot, a key below min_local_priority is offloaded first, a higher one stays local', () => {
    const s = state([agent('a', { queueLength: 1, inFlight: 4 })]);
    expect(order(s, req('local/llama', { priority: 1 }))[0]).toBe('openai/gpt-4o');
    expect(planner.plan(s, req('local/llama', { priority: 1 })).reason).toContain('priority 1 < min_local_priority 5');
    expect(order(s, req('local/llama', { priority: 5 }))[0]).toBe('agent://a');
    // With a free slot everyone stays local.
    const roomy = state([agent('a', { queueLength: 0, inFlight: 1 })]);
    expect(order(roomy, req('local/llama', { priority: 0 }))[0]).toBe('agent://a');
  });

  it('hard-offload never plans an agent, not even from the request’s models list', () => {
    const s = state([agent('a', { models: ['offload/x', 'local/llama'] })]);
    const p = planner.plan(s, req('offload/x', { models: ['local/llama', 'anthropic/claude-haiku'] }));
    expect(p.targets.map((t) => t.model)).toEqual(['openai/gpt-4o', 'anthropic/claude-haiku']);
    expect(p.reason).toBe('hard-offload: offload/x always goes to openai/gpt-4o; 1 fallback');
  });

  it('models without a policy keep the direct planner and its cache TTL', () => {
    const p = planner.plan(state(), req('openai/gpt-4o'));
    expect(p).toMatchObject({ policy: 'direct', cacheTtlMs: 5_000 });
  });

  it('moves a target in cooldown to the end (never drops it) and makes the plan uncacheable', () => {
    const health = new TargetHealth({ failures: 1, cooldownMs: 60_000 });
    health.record({ model: 'openai/gpt-4o-mini', provider: 'openai', baseUrl: 'https://openai.example/v1', outcome: 'error', latencyMs: 1 });
    const p = planner.plan(state([], health), req('openai/gpt-4o-mini', { models: ['openai/gpt-4o'] }));
    expect(p.targets.at(-1)?.model).toBe('openai/gpt-4o-mini');
    expect(p.targets).toHaveLength(4);
    expect(p.cacheTtlMs).toBe(0);
    expect(p.reason).toContain('cooling down, moved last: openai/gpt-4o-mini');
    const direct = planner.plan(state([], health), req('anthropic/claude-haiku'));
    expect(direct).toMatchObject({ policy: 'direct', cacheTtlMs: 5_000 });
  });

  describe('x-iir-route: local-only', () => {
    const local = req('local/llama', { route: 'local-only', priority: 0, models: ['openai/gpt-4o-mini'] });

    it('keeps only the agents of a soft-offload model: no offload_to, no registry fallback, no models-list entry', () => {
      // Queue over the threshold: without the pin this plan offloads to openai/gpt-4o first.
      const p = planner.plan(state([agent('a1', { queueLength: 9 })]), local);
      expect(p.targets.map((t) => t.baseUrl)).toEqual(['agent://a1']);
      expect(p.reason).toContain('x-iir-route: local-only');
    });

    it('refuses with no_target_available, never a remote target, when nothing local is available', () => {
      expect(() => planner.plan(state(), local)).toThrow(expect.objectContaining({ code: 'no_target_available', message: expect.stringContaining('local-only') }));
      expect(() => planner.plan(state(), req('openai/gpt-4o-mini', { route: 'local-only' }))).toThrow(
        expect.objectContaining({ code: 'no_target_available' }),
      );
    });
  });
});

describe('PolicyPlanner with agents: rules', () => {
  const ruled = parseRoutingConfig(`
policies:
  - { model: local/llama, policy: soft-offload, offload_to: [openai/gpt-4o] }
  - { model: local/*, policy: least-loaded }
agents:
  pause_on_battery_below: 30
  pause_when_owner_active_within_s: 120
  owner_active_min_priority: 5
  pause_on_thermal: serious
`);
  const ruledState = (agents: AgentRecord[]): RoutingState => ({ ...state(agents), policies: ruled });
  const studio = agent('mac-studio', { models: ['local/qwen', 'local/llama'], state: { power_source: 'ac', thermal: 'nominal', owner_idle_s: 900 } });

  it('least-loaded skips an agent on low battery and the receipt says why', () => {
    const s = ruledState([studio, agent('mac-mini', { models: ['local/qwen'], state: { power_source: 'battery', battery_percent: 18 } })]);
    const p = planner.plan(s, req('local/qwen'));
    expect(p.targets.map((t) => t.baseUrl)).toEqual(['agent://mac-studio']);
    expect(p.reason).toBe('least-loaded: agent mac-studio (queue 0, 0/4 in flight) first of 1 fresh agent; skipped mac-mini: on battery 18% < 30%');
  });

  it('the same agent is used again once it is plugged in, and the loaded model wins the tie', () => {
    const s = ruledState([studio, agent('mac-mini', { models: ['local/qwen'], loadedModels: ['local/qwen'], state: { power_source: 'ac', battery_percent: 18 } })]);
    expect(order(s, req('local/qwen'))).toEqual(['agent://mac-mini', 'agent://mac-studio']);
  });

  it('an active owner pauses the agent for low priorities only', () => {
    const s = ruledState([agent('laptop', { models: ['local/qwen'], state: { owner_idle_s: 12 } })]);
    expect(() => planner.plan(s, req('local/qwen'))).toThrow(/every fresh agent serving local\/qwen is paused; skipped laptop: owner active 12 s ago \(within 120 s\)/);
    expect(order(s, req('local/qwen', { priority: 5 }))).toEqual(['agent://laptop']);
  });

  it('soft-offload offloads when every agent is paused (thermal), and says so', () => {
    const s = ruledState([agent('hot', { state: { thermal: 'serious' } })]);
    const p = planner.plan(s, req('local/llama'));
    expect(p.targets.map((t) => t.model)).toEqual(['openai/gpt-4o', 'openai/gpt-4o-mini']);
    expect(p.reason).toBe(
      'soft-offload: every fresh agent serving local/llama is paused, offloaded to openai/gpt-4o; skipped hot: thermal serious; 1 fallback',
    );
  });

  it('soft-offload keeps a cool agent first and lists the hot one as skipped', () => {
    const s = ruledState([studio, agent('hot', { state: { thermal: 'critical' } })]);
    const p = planner.plan(s, req('local/llama'));
    expect(p.targets[0]?.baseUrl).toBe('agent://mac-studio');
    expect(p.targets.some((t) => t.baseUrl === 'agent://hot')).toBe(false);
    expect(p.reason).toContain('agent mac-studio first; skipped hot: thermal critical');
  });
});
