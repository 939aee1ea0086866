import type { AgentRecord, ClassifyResponse, ModelRecord, PlanRequest, PromptComplexity, PromptLabel } from '@iir/contracts';
import { AgentsView } from '../agents/agents-view';
import { Catalog } from '../catalog/catalog';
import { TargetHealth } from '../health/target-health';
import { Planner } from '../plan/planner';
import { PolicyPlanner, type RoutingState } from '../policies/policy-planner';
import { parseRoutingConfig, RoutingConfigError, RoutingPolicies } from '../policies/routing-config';
import { AutoPlanner } from './auto-planner';
import { chooseTiers } from './auto-tiers';

function model(name: string, extra: Partial<ModelRecord> = {}): ModelRecord {
  const [provider = 'p', id = name] = name.split('/');
  return {
    name, provider, kind: 'hosted', protocol: 'openai', baseUrl: `https://${provider}.example/v1`, upstreamModel: id,
    contextWindow: null, pricing: null, aliases: [], fallbacks: [], enabled: true,
    createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', ...extra,
  };
}

function agent(agentId: string, freshness: 'fresh' | 'stale' = 'fresh'): AgentRecord {
  return {
    agentId, models: ['local/llama'], hardware: {}, maxConcurrency: 4, version: '1', queueLength: 0, inFlight: 0,
    loadedModels: [], state: {}, registeredAt: '2026-01-01T00:00:00Z', lastHeartbeatAt: '2026-01-01T00:00:00Z', freshness,
  };
}

const catalog = new Catalog(1, [
  model('local/llama', { kind: 'agent', protocol: 'agent', baseUrl: '' }),
  model('openai/gpt-4o-mini'),
  model('openai/gpt-4.1'),
  model('anthropic/claude-sonnet'),
]);

const policies = parseRoutingConfig(`
policies:
  - { model: 'local/*', policy: least-loaded }
auto:
  confidence_threshold: 0.6
  local_tiers: [local]
  tiers:
    local: [local/llama]
    fast: [openai/gpt-4o-mini, not/offered]
    strong: [openai/gpt-4.1, anthropic/claude-sonnet]
  routes:
    default: { simple: [local, fast], complex: [strong, fast] }
    code: { complex: [strong] }
  low_confidence: [strong, fast]
  classifier_unavailable: [fast, strong]
`);

const auto = policies.auto;
if (!auto) throw new Error('the test config has an auto section');

const health = (): TargetHealth => new TargetHealth({ failures: 3, cooldownMs: 60_000 });
const state = (agents: AgentRecord[] = [agent('mac1')], h = health()): RoutingState => ({ catalog, policies, agents: new AgentsView(1, agents), health: h });
const planner = new AutoPlanner(new PolicyPlanner(new Planner(5_000)));
const req = (extra: Partial<PlanRequest> = {}): PlanRequest => ({ requestId: 'r', model: 'auto', stream: false, ...extra });
const said = (label: PromptLabel, complexity: PromptComplexity, confidence = 0.95): ClassifyResponse =>
  ({ label, complexity, confidence, scores: {} as ClassifyResponse['scores'] });

describe(AutoPlanner.name, () => {
  it('sends a simple chat to the local tier, with the next tiers as fallbacks', () => {
    const plan = planner.plan(state(), req(), said('chat', 'simple'));
    expect(plan.targets.map((t) => (t.kind === 'agent' ? t.baseUrl : t.model))).toEqual(['agent://mac1', 'openai/gpt-4o-mini']);
    expect(plan).toMatchObject({ policy: 'auto', cacheTtlMs: 0, auto: { label: 'chat', complexity: 'simple', tier: 'local' } });
    expect(plan.reason).toContain('tier local');
  });

  it('sends a complex code request to the strong tier by its own route', () => {
    const plan = planner.plan(state(), req(), said('code', 'complex'));
    expect(plan.targets.map((t) => t.model)).toEqual(['openai/gpt-4.1', 'anthropic/claude-sonnet']);
    expect(plan.auto).toMatchObject({ tier: 'strong' });
  });

  it('sends a low-confidence request to the stronger tiers whatever its label', () => {
    const plan = planner.plan(state(), req(), said('chat', 'simple', 0.4));
    expect(plan.auto?.tier).toBe('strong');
    expect(plan.auto?.why).toContain('low-confidence');
  });

  it('moves on to the next tier when the local one has no fresh agent', () => {
    const plan = planner.plan(state([agent('mac1', 'stale')]), req(), said('chat', 'simple'));
    expect(plan.targets.map((t) => t.model)).toEqual(['openai/gpt-4o-mini']);
    expect(plan.auto).toMatchObject({ tier: 'fast', why: expect.stringContaining('local unavailable') });
  });

  it('skips a tier whose targets are all cooling down, keeping them as late fallbacks', () => {
    const h = health();
    for (let i = 0; i < 3; i++) h.record({ model: 'openai/gpt-4.1', provider: 'openai', baseUrl: 'https://openai.example/v1', outcome: 'error', latencyMs: 1 });
    for (let i = 0; i < 3; i++) h.record({ model: 'anthropic/claude-sonnet', provider: 'anthropic', baseUrl: 'https://anthropic.example/v1', outcome: 'error', latencyMs: 1 });
    const plan = planner.plan(state(undefined, h), req(), said('math', 'complex'));
    expect(plan.auto?.tier).toBe('fast');
    expect(plan.targets[0]?.model).toBe('openai/gpt-4o-mini');
  });

  it('plans on the default tiers without a classification', () => {
    const plan = planner.plan(state(), req(), undefined);
    expect(plan.auto).toEqual({ tier: 'fast', why: 'classifier unavailable: default tiers' });
  });

  it('honours x-iir-route pins', () => {
    expect(planner.plan(state(), req({ route: 'remote-only' }), said('chat', 'simple')).auto?.tier).toBe('fast');
    expect(planner.plan(state(), req({ route: 'prefer-local' }), said('code', 'complex')).auto?.tier).toBe('local');
    expect(() => planner.plan(state([]), req({ route: 'local-only' }), said('code', 'complex'))).toThrow(/no model of the tiers local/);
  });
});

describe('auto config', () => {
  it('chooses tiers by label, complexity and confidence', () => {
    expect(chooseTiers(auto, said('qa', 'complex'), undefined).tiers).toEqual(['strong', 'fast']);
    expect(chooseTiers(auto, said('code', 'simple'), undefined).tiers).toEqual(['local', 'fast']);
    expect(chooseTiers(auto, said('code', 'complex', 0.59), undefined).tiers).toEqual(['strong', 'fast']);
  });

  it('refuses unknown tiers and labels, naming the field', () => {
    const bad = (yaml: string): string => {
      try {
        parseRoutingConfig(yaml);
        return 'parsed';
      } catch (error) {
        expect(error).toBeInstanceOf(RoutingConfigError);
        return (error as Error).message;
      }
    };
    const base = 'auto:\n  tiers: { a: [x/y] }\n  low_confidence: [a]\n  classifier_unavailable: [a]\n';
    expect(bad(`${base}  routes: { default: { simple: [a], complex: [b] } }\n`)).toContain("auto.routes.default.complex[0]: unknown tier 'b'");
    expect(bad(`${base}  routes: { default: { simple: [a], complex: [a] }, poetry: { simple: [a] } }\n`)).toContain('auto.routes.poetry: unknown label');
  });

  it('x-iir-route: local-only keeps remote entries of the request models list out of an auto plan', () => {
    const p = planner.plan(state(), req({ route: 'local-only', models: ['openai/gpt-4o-mini'] }), said('chat', 'simple'));
    expect(p.targets.map((t) => t.baseUrl)).toEqual(['agent://mac1']);
    expect(() => planner.plan(state([]), req({ route: 'local-only', models: ['openai/gpt-4o-mini'] }), said('chat', 'simple'))).toThrow(
      expect.objectContaining({ code: 'no_target_available' }),
    );
  });

  it('skips the local tier when its only agent is paused by the agents: rules, and the reason says why', () => {
    const rules = parseRoutingConfig('agents: { pause_when_camera_or_mic_in_use: true }').agentRules;
    const busy = { ...agent('mac1'), state: { camera_in_use: true } };
    const s: RoutingState = { ...state([busy]), policies: new RoutingPolicies(policies.list, auto, rules) };
    const plan = planner.plan(s, req(), said('chat', 'simple'));
    expect(plan.targets.map((t) => t.model)).toEqual(['openai/gpt-4o-mini']);
    expect(plan.auto).toMatchObject({ tier: 'fast' });
    expect(plan.reason).toContain('local unavailable; skipped mac1: camera or microphone in use');
  });
});
