import type { StoredModel } from '../models/model.entity';
import { planSeed } from './seed-plan';
import type { SeedModel } from './seed-resolver';

const offered = (name: string, overrides: Partial<SeedModel> = {}): SeedModel => ({
  name,
  provider: name.split('/')[0] ?? '',
  kind: 'hosted',
  protocol: 'openai',
  baseUrl: 'https://api.example.com/v1',
  upstreamModel: name.split('/')[1] ?? '',
  contextWindow: 8192,
  pricing: { promptPerMTok: 1, completionPerMTok: 2 },
  aliases: [],
  fallbacks: [],
  enabled: true,
  ...overrides,
});

const stored = (model: SeedModel, overrides: Partial<StoredModel> = {}): StoredModel => ({
  ...model,
  managedBy: 'seed',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  ...overrides,
});

const NOW = '2025-06-01T00:00:00.000Z';

describe('planSeed', () => {
  it('inserts offered models that have no row, as seed rows stamped now', () => {
    const plan = planSeed([], [offered('a/one')], NOW);
    expect(plan.inserts).toEqual([{ ...offered('a/one'), managedBy: 'seed', createdAt: NOW, updatedAt: NOW }]);
    expect(plan.updates).toEqual([]);
  });

  it('writes nothing when the rows already match, so a restart is a no-op', () => {
    const plan = planSeed([stored(offered('a/one'))], [offered('a/one')], NOW);
    expect(plan).toEqual({ inserts: [], updates: [], disabled: [], operatorOwned: [] });
  });

  it('updates a seed row whose definition changed, keeping its creation time', () => {
    const plan = planSeed([stored(offered('a/one'))], [offered('a/one', { contextWindow: 16384 })], NOW);
    expect(plan.updates).toEqual([
      { ...offered('a/one', { contextWindow: 16384 }), managedBy: 'seed', createdAt: '2025-01-01T00:00:00.000Z', updatedAt: NOW },
    ]);
  });

  it('never touches an operator row, even when the seed file defines the same name differently', () => {
    const row = stored(offered('a/one', { baseUrl: 'http://mine' }), { managedBy: 'operator' });
    const plan = planSeed([row], [offered('a/one')], NOW);
    expect(plan.updates).toEqual([]);
    expect(plan.operatorOwned).toEqual(['a/one']);
  });

  it('disables seed rows that are no longer offered, and leaves operator and already-disabled rows alone', () => {
    const rows = [
      stored(offered('a/gone')),
      stored(offered('a/off'), { enabled: false }),
      stored(offered('a/theirs'), { managedBy: 'operator' }),
    ];
    const plan = planSeed(rows, [], NOW);
    expect(plan.disabled).toEqual(['a/gone']);
    expect(plan.updates).toEqual([{ ...rows[0], enabled: false, updatedAt: NOW }]);
  });

  it('re-enables a seed row once its model is offered again', () => {
    const plan = planSeed([stored(offered('a/one'), { enabled: false })], [offered('a/one')], NOW);
    expect(plan.updates).toEqual([expect.objectContaining({ name: 'a/one', enabled: true, updatedAt: NOW })]);
  });
});
