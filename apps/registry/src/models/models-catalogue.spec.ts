import type { StoredModel } from './model.entity';
import { ModelsCatalogue } from './models-catalogue';

const row = (name: string, overrides: Partial<StoredModel> = {}): StoredModel => ({
  name,
  provider: name.split('/')[0] ?? '',
  kind: 'hosted',
  protocol: 'openai',
  baseUrl: 'https://api.example.com/v1',
  upstreamModel: name,
  contextWindow: null,
  pricing: null,
  aliases: [],
  fallbacks: [],
  enabled: true,
  managedBy: 'seed',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  ...overrides,
});

describe(ModelsCatalogue.name, () => {
  it('lists enabled models by default and every model on request, without the managedBy column', () => {
    const catalogue = new ModelsCatalogue();
    catalogue.replace([row('b/two', { enabled: false }), row('a/one')]);
    expect(catalogue.list().map((m) => m.name)).toEqual(['a/one']);
    expect(catalogue.list(true).map((m) => m.name)).toEqual(['a/one', 'b/two']);
    expect(catalogue.list()[0]).not.toHaveProperty('managedBy');
  });

  it('finds enabled models by name or alias, ignoring case; never a disabled one', () => {
    const catalogue = new ModelsCatalogue();
    catalogue.replace([row('openai/gpt-4o-mini', { aliases: ['gpt-4o-mini'] }), row('x/off', { enabled: false })]);
    expect(catalogue.find('OpenAI/GPT-4o-mini')?.name).toBe('openai/gpt-4o-mini');
    expect(catalogue.find('gpt-4o-mini')?.name).toBe('openai/gpt-4o-mini');
    expect(catalogue.find('x/off')).toBeUndefined();
    expect(catalogue.find('nope')).toBeUndefined();
  });

  it('resolves a name before an alias that happens to equal it', () => {
    const catalogue = new ModelsCatalogue();
    catalogue.replace([row('a/one', { aliases: ['b/two'] }), row('b/two')]);
    expect(catalogue.find('b/two')?.name).toBe('b/two');
  });

  it('raises the version on every replacement, even if the clock goes backwards', () => {
    const catalogue = new ModelsCatalogue();
    const first = catalogue.replace([], 5_000);
    const second = catalogue.replace([], 1_000);
    expect(first).toBe(5_000);
    expect(second).toBe(5_001);
    expect(catalogue.version).toBe(5_001);
  });

  it('hands out frozen records, so a caller on the in-process bus cannot change the catalogue', () => {
    const catalogue = new ModelsCatalogue();
    catalogue.replace([row('a/one', { aliases: ['one'] })]);
    const model = catalogue.list()[0];
    expect(Object.isFrozen(model)).toBe(true);
    expect(Object.isFrozen(model?.aliases)).toBe(true);
  });
});
