import { BusError, type ModelInput } from '@iir/contracts';
import { waitFor } from '@iir/testing';
import { RegistryHarness, seedEntry, seedFile } from './registry-harness';

const local = (name: string, extra: Partial<ModelInput> = {}): ModelInput => ({
  name,
  kind: 'vllm',
  protocol: 'openai',
  baseUrl: 'http://gpu-box:8000/v1/',
  ...extra,
});

describe('registry administration over NATS', () => {
  let h: RegistryHarness;

  beforeEach(async () => {
    h = await new RegistryHarness().setUp();
    await h.writeSeed(seedFile(seedEntry({ name: 'seeded/one', aliases: ['one'] })));
    await h.start();
    await waitFor(() => h.changes.length > 0, { what: 'the boot registry.models.changed' });
  });
  afterEach(() => h.tearDown());

  const failure = async (call: Promise<unknown>): Promise<BusError> => {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BusError);
    return error as BusError;
  };

  it('creates a model with defaults filled in, serves it at once and publishes a change', async () => {
    const before = h.changes.length;
    const created = await h.client.createModel(local('vllm/llama-3.1-8b', { aliases: ['llama-8b'], contextWindow: 8192 }));
    expect(created).toMatchObject({
      name: 'vllm/llama-3.1-8b',
      provider: 'vllm',
      upstreamModel: 'llama-3.1-8b',
      baseUrl: 'http://gpu-box:8000/v1',
      aliases: ['llama-8b'],
      fallbacks: [],
      pricing: null,
      enabled: true,
    });
    expect((await h.client.getModel('llama-8b')).name).toBe('vllm/llama-3.1-8b');
    await waitFor(() => h.changes.length > before, { what: 'registry.models.changed after create' });
    const event = h.changes.at(-1);
    expect(event).toEqual({ version: (await h.client.listModels()).version, reason: 'created vllm/llama-3.1-8b' });
  });

  it('stores what a model takes and gives, and refuses a modality it does not know', async () => {
    const created = await h.client.createModel(local('vllm/vision', { modalities: { input: ['text', 'image', 'text'], output: ['text'] } }));
    expect(created.modalities).toEqual({ input: ['text', 'image'], output: ['text'] });
    expect((await h.client.getModel('vllm/vision')).modalities).toEqual({ input: ['text', 'image'], output: ['text'] });
    expect((await h.client.updateModel('vllm/vision', { modalities: null })).modalities).toBeNull();
    expect(await failure(h.client.createModel(local('vllm/smell', { modalities: { input: ['smell'], output: ['text'] } as never })))).toMatchObject({
      code: 'invalid_request_error',
      details: { param: 'modalities' },
    });
  });

  it('updates, disables and enables a model, each a change event; disabled models vanish from routing views only', async () => {
    await h.client.createModel(local('vllm/qwen'));
    const updated = await h.client.updateModel('vllm/qwen', { upstreamModel: 'Qwen/Qwen2.5-7B-Instruct', fallbacks: ['seeded/one'] });
    expect(updated).toMatchObject({ upstreamModel: 'Qwen/Qwen2.5-7B-Instruct', fallbacks: ['seeded/one'], baseUrl: 'http://gpu-box:8000/v1' });
    const count = h.changes.length;
    expect((await h.client.setModelEnabled('vllm/qwen', false)).enabled).toBe(false);
    await waitFor(() => h.changes.at(-1)?.reason === 'disabled vllm/qwen', { what: 'the disable event' });
    expect(h.changes.length).toBeGreaterThan(count);
    await expect(h.client.getModel('vllm/qwen')).rejects.toMatchObject({ code: 'model_not_found' });
    expect((await h.client.getModel('vllm/qwen', { includeDisabled: true })).enabled).toBe(false);
    expect((await h.client.listModels()).models.map((m) => m.name)).toEqual(['seeded/one']);
    expect((await h.client.setModelEnabled('vllm/qwen', true)).enabled).toBe(true);
    await waitFor(() => h.changes.at(-1)?.reason === 'enabled vllm/qwen', { what: 'the enable event' });
  });

  it('deletes an operator model; unknown names are not_found; seeded and depended-on models are refused', async () => {
    await h.client.createModel(local('vllm/a'));
    await h.client.createModel(local('vllm/b', { fallbacks: ['vllm/a'] }));
    expect(await failure(h.client.deleteModel('vllm/a'))).toMatchObject({
      code: 'invalid_request_error',
      message: expect.stringContaining('fallback of vllm/b'),
    });
    expect(await h.client.deleteModel('vllm/b')).toEqual({ name: 'vllm/b', deleted: true });
    expect(await h.client.deleteModel('VLLM/A')).toEqual({ name: 'vllm/a', deleted: true });
    await waitFor(() => h.changes.at(-1)?.reason === 'deleted vllm/a', { what: 'the delete event' });
    await expect(h.client.getModel('vllm/a', { includeDisabled: true })).rejects.toMatchObject({ code: 'model_not_found' });
    expect(await failure(h.client.deleteModel('vllm/a'))).toMatchObject({ code: 'not_found', details: { param: 'name' } });
    expect(await failure(h.client.updateModel('nobody/x', { enabled: false }))).toMatchObject({ code: 'not_found' });
    expect(await failure(h.client.deleteModel('seeded/one'))).toMatchObject({
      code: 'invalid_request_error',
      message: expect.stringContaining('seed file'),
    });
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['a name without a provider', { name: 'llama' }, 'name', /<provider>\/<model>/],
    ['an upper-case provider', { name: 'VLLM/x' }, 'name', /provider/],
    ['an unknown kind', { kind: 'gpu' }, 'kind', /one of hosted, vllm, llm-d, agent/],
    ['an unknown protocol', { protocol: 'grpc' }, 'protocol', /one of openai, anthropic, agent/],
    ['a base_url that is not a URL', { baseUrl: 'gpu-box:8000' }, 'base_url', /http\(s\) URL/],
    ['a negative context window', { contextWindow: -1 }, 'context_window', /positive/],
    ['pricing in the wrong shape', { pricing: { prompt: 1 } }, 'pricing', /USD per million/],
    ['an alias equal to its name', { aliases: ['vllm/new'] }, 'aliases', /own name/],
    ['an alias taken by another model', { aliases: ['one'] }, 'aliases', /already used by seeded\/one/],
    ['a fallback that does not exist', { fallbacks: ['nope/x'] }, 'fallbacks', /not a model in the registry/],
    ['an unknown field', { colour: 'red' }, 'colour', /Unknown field/],
    ['a name that already exists', { name: 'seeded/one', kind: 'hosted' }, 'name', /already exists/],
  ])('refuses %s with invalid_request_error naming the field', async (_what, fields, param, message) => {
    const error = await failure(h.client.createModel({ ...local('vllm/new'), ...fields } as ModelInput));
    expect(error).toMatchObject({ code: 'invalid_request_error', details: { param } });
    expect(error.message).toMatch(message);
  });

  it('refuses a name that is already another model’s alias', async () => {
    await h.client.createModel(local('vllm/holder', { aliases: ['x/y'] }));
    expect(await failure(h.client.createModel(local('x/y')))).toMatchObject({
      code: 'invalid_request_error',
      message: expect.stringContaining('already an alias of vllm/holder'),
      details: { param: 'name' },
    });
  });

  it('refuses to rename a model or give it an alias another model has', async () => {
    await h.client.createModel(local('vllm/c'));
    expect(await failure(h.client.updateModel('vllm/c', { name: 'vllm/d' } as never))).toMatchObject({ details: { param: 'name' } });
    expect(await failure(h.client.updateModel('vllm/c', { aliases: ['ONE'] }))).toMatchObject({ details: { param: 'aliases' } });
    expect(await failure(h.client.updateModel('vllm/c', { kind: 'hosted', baseUrl: '' }))).toMatchObject({ details: { param: 'base_url' } });
  });

  it('keeps operator models and operator edits of seeded models across a restart with the seed file', async () => {
    await h.client.createModel(local('vllm/mine'));
    await h.client.updateModel('seeded/one', { baseUrl: 'http://mine.internal/v1' });
    await h.start();
    expect((await h.client.getModel('vllm/mine')).baseUrl).toBe('http://gpu-box:8000/v1');
    expect((await h.client.getModel('seeded/one')).baseUrl).toBe('http://mine.internal/v1');
    // An operator-managed model can now be deleted: the seeder no longer owns it.
    expect(await h.client.deleteModel('seeded/one')).toMatchObject({ deleted: true });
  });

  it('serializes concurrent creates, so one alias is never claimed twice', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => h.client.createModel(local(`vllm/race-${i}`, { aliases: ['shared'] }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const models = (await h.client.listModels()).models.filter((m) => m.aliases.includes('shared'));
    expect(models).toHaveLength(1);
  });
});
