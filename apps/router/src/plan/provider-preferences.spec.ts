import { BusError, type ModelRecord, type PlanResponse, type Target } from '@iir/contracts';
import { AgentsView } from '../agents/agents-view';
import { Catalog } from '../catalog/catalog';
import { TargetHealth } from '../health/target-health';
import { model } from '../../test/model-record';
import { applyProviderPreferences } from './provider-preferences';

const record = (name: string, pricing: ModelRecord['pricing']): ModelRecord => model(name, { pricing, contextWindow: null });

const target = (name: string, overrides: Partial<Target> = {}): Target => {
  const [provider = 'p', id = name] = name.split('/');
  return { model: name, provider, kind: 'hosted', protocol: 'openai', baseUrl: `https://${provider}.example/v1`, upstreamModel: id, ...overrides };
};

const catalog = new Catalog(1, [
  record('openai/gpt', { promptPerMTok: 5, completionPerMTok: 15 }),
  record('deepseek/chat', { promptPerMTok: 0.3, completionPerMTok: 1.1 }),
  record('anthropic/claude', { promptPerMTok: 3, completionPerMTok: 15 }),
]);
const local = target('local/tiny', { provider: 'local', kind: 'agent', protocol: 'agent', baseUrl: 'agent://mac' });
const plan: PlanResponse = {
  model: 'openai/gpt',
  targets: [target('openai/gpt'), target('anthropic/claude'), target('deepseek/chat'), local],
  policy: 'direct',
  reason: 'exact match',
};
const health = new TargetHealth({ failures: 3, cooldownMs: 1_000 });
const agents = new AgentsView(1, [
  {
    agentId: 'mac',
    models: ['local/tiny'],
    hardware: {} as never,
    maxConcurrency: 1,
    version: '1',
    queueLength: 0,
    inFlight: 0,
    loadedModels: [],
    state: { tokens_per_s: 900, ttft_ms: 40 },
    registeredAt: '',
    lastHeartbeatAt: null,
    freshness: 'fresh',
  },
]);
const inputs = { catalog, health, agents };
const order = (prefs: Parameters<typeof applyProviderPreferences>[1]): string[] => applyProviderPreferences(plan, prefs, inputs).targets.map((t) => t.model);

describe(applyProviderPreferences.name, () => {
  it('leaves a plan alone without preferences', () => {
    expect(applyProviderPreferences(plan, undefined, inputs)).toBe(plan);
  });

  it('narrows with only and ignore (case-insensitive), and says so in the reason', () => {
    expect(order({ only: ['OpenAI', 'deepseek'] })).toEqual(['openai/gpt', 'deepseek/chat']);
    expect(order({ ignore: ['anthropic', 'local'] })).toEqual(['openai/gpt', 'deepseek/chat']);
    expect(applyProviderPreferences(plan, { only: ['deepseek'] }, inputs).reason).toBe('exact match; provider: only deepseek');
  });

  it('puts the order list first, keeping the rest as fallbacks unless allow_fallbacks is false', () => {
    expect(order({ order: ['deepseek', 'anthropic'] })).toEqual(['deepseek/chat', 'anthropic/claude', 'openai/gpt', 'local/tiny']);
    expect(order({ order: ['deepseek', 'anthropic'], allow_fallbacks: false })).toEqual(['deepseek/chat', 'anthropic/claude']);
    expect(order({ allow_fallbacks: false })).toEqual(['openai/gpt']);
  });

  it('sorts by price (local first, unknown prices last), latency and throughput', () => {
    expect(order({ sort: 'price' })).toEqual(['local/tiny', 'deepseek/chat', 'anthropic/claude', 'openai/gpt']);
    health.record({ model: 'anthropic/claude', provider: 'anthropic', baseUrl: 'https://anthropic.example/v1', outcome: 'ok', latencyMs: 300 });
    health.record({ model: 'openai/gpt', provider: 'openai', baseUrl: 'https://openai.example/v1', outcome: 'ok', latencyMs: 900 });
    expect(order({ sort: 'latency' })).toEqual(['local/tiny', 'anthropic/claude', 'openai/gpt', 'deepseek/chat']);
    expect(order({ sort: 'throughput' })[0]).toBe('local/tiny');
  });

  it('refuses a plan the preferences empty, naming them', () => {
    expect(() => applyProviderPreferences(plan, { only: ['mistral'] }, inputs)).toThrow(BusError);
    expect(() => applyProviderPreferences(plan, { only: ['mistral'] }, inputs)).toThrow(/provider preferences \(only mistral\)/);
  });
});
