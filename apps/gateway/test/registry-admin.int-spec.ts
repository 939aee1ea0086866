import { BusError, SUBJECTS, type HardwareStatusResponse, type ModelRecord } from '@iir/contracts';
import { GatewayHarness, modelRecord } from './gateway-harness';

const ADMIN = 'iir-admin-registry-admin-int-spec-0123456789';
const admin = { authorization: `Bearer ${ADMIN}` };

/** The admin routes over a scripted registry: paths, snake_case, guards and error shapes. */
describe('gateway /v1/registry admin API', () => {
  const h = new GatewayHarness();
  const seen: Array<{ subject: string; payload: unknown }> = [];
  const stored = new Map<string, ModelRecord>();

  beforeAll(async () => {
    await h.start({ IIR_ADMIN_KEY: ADMIN, GATEWAY_API_KEYS: 'static-user-key' });
    const record = (subject: string) => (payload: unknown) => seen.push({ subject, payload });
    h.bus.handle(SUBJECTS.registry.getModel, (p) => {
      record(SUBJECTS.registry.getModel)(p);
      const found = stored.get((p as { name: string }).name);
      if (!found) throw new BusError('model_not_found', 'no such model');
      return found;
    });
    h.bus.handle(SUBJECTS.registry.createModel, (p) => {
      record(SUBJECTS.registry.createModel)(p);
      const input = p as { name: string; baseUrl: string; pricing: { promptPerMTok: number; completionPerMTok: number } | null };
      if (stored.has(input.name)) throw new BusError('invalid_request_error', 'already exists', { param: 'name' });
      const model = modelRecord(input.name, { baseUrl: input.baseUrl, pricing: input.pricing });
      stored.set(model.name, model);
      return model;
    });
    h.bus.handle(SUBJECTS.registry.updateModel, (p) => {
      record(SUBJECTS.registry.updateModel)(p);
      const { name, changes } = p as { name: string; changes: Partial<ModelRecord> };
      const current = stored.get(name);
      if (!current) throw new BusError('not_found', `No model named '${name}'`, { param: 'name' });
      const next = { ...current, ...changes };
      stored.set(name, next);
      return next;
    });
    h.bus.handle(SUBJECTS.registry.deleteModel, (p) => {
      record(SUBJECTS.registry.deleteModel)(p);
      const { name } = p as { name: string };
      if (!stored.delete(name)) throw new BusError('not_found', `No model named '${name}'`, { param: 'name' });
      return { name, deleted: true };
    });
    const status: HardwareStatusResponse = { refreshedAt: null, hardware: null, recommendations: [] };
    h.bus.handle(SUBJECTS.registry.hardwareStatus, () => status);
  });
  afterAll(() => h.stop());

  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = admin): Promise<Response> =>
    fetch(`${h.baseUrl}${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('maps a snake_case body to the registry and answers the model in snake_case with 201', async () => {
    const res = await call('POST', '/v1/registry/models', {
      name: 'vllm/llama-3.1-8b',
      kind: 'vllm',
      protocol: 'openai',
      base_url: 'http://gpu:8000/v1',
      pricing: { prompt: 0.1, completion: 0.2 },
      context_window: 8192,
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      object: 'registry.model',
      name: 'vllm/llama-3.1-8b',
      base_url: 'http://gpu:8000/v1',
      pricing: { prompt: 0.1, completion: 0.2 },
      upstream_model: expect.any(String),
    });
    expect(seen.at(-1)).toEqual({
      subject: SUBJECTS.registry.createModel,
      payload: {
        name: 'vllm/llama-3.1-8b',
        kind: 'vllm',
        protocol: 'openai',
        baseUrl: 'http://gpu:8000/v1',
        pricing: { promptPerMTok: 0.1, completionPerMTok: 0.2 },
        contextWindow: 8192,
      },
    });
  });

  it.each([
    ['a wildcard path', '/v1/registry/models/vllm/llama-3.1-8b'],
    ['one URL-encoded segment', '/v1/registry/models/vllm%2Fllama-3.1-8b'],
  ])('finds, patches, enables and disables a model by %s', async (_how, path) => {
    expect(((await (await call('GET', path)).json()) as { name: string }).name).toBe('vllm/llama-3.1-8b');
    const patched = await call('PATCH', path, { upstream_model: 'meta-llama/Llama-3.1-8B' });
    expect(patched.status).toBe(200);
    expect(seen.at(-1)?.payload).toEqual({ name: 'vllm/llama-3.1-8b', changes: { upstreamModel: 'meta-llama/Llama-3.1-8B' } });
    const disabled = await call('POST', `${path}/disable`);
    expect(disabled.status).toBe(200);
    expect(((await disabled.json()) as { enabled: boolean }).enabled).toBe(false);
    expect(seen.at(-1)?.payload).toEqual({ name: 'vllm/llama-3.1-8b', changes: { enabled: false } });
    expect(((await (await call('POST', `${path}/enable`)).json()) as { enabled: boolean }).enabled).toBe(true);
  });

  it('answers registry errors in OpenAI’s shape: 400 naming the field, 404 for an unknown name', async () => {
    const conflict = await call('POST', '/v1/registry/models', { name: 'vllm/llama-3.1-8b', kind: 'vllm', protocol: 'openai' });
    expect(conflict.status).toBe(400);
    expect(await conflict.json()).toEqual({ error: { message: 'already exists', type: 'invalid_request_error', code: 'invalid_request_error', param: 'name' } });
    const missing = await call('GET', '/v1/registry/models/nobody/nothing');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: expect.objectContaining({ code: 'not_found', param: 'name' }) });
    expect((await call('DELETE', '/v1/registry/models/nobody%2Fnothing')).status).toBe(404);
    expect((await call('POST', '/v1/registry/models/vllm/llama-3.1-8b/explode')).status).toBe(404);
    expect((await call('POST', '/v1/registry/models', [1, 2])).status).toBe(400);
  });

  it('deletes a model', async () => {
    const res = await call('DELETE', '/v1/registry/models/vllm/llama-3.1-8b');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ object: 'registry.model', name: 'vllm/llama-3.1-8b', deleted: true });
  });

  it('needs an admin key: 401 without one, 403 with a user key', async () => {
    const none = await call('GET', '/v1/registry/models', undefined, {});
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: expect.objectContaining({ type: 'authentication_error' }) });
    expect((await call('GET', '/v1/registry/status', undefined, { authorization: 'Bearer static-user-key' })).status).toBe(403);
    expect((await call('POST', '/v1/registry/refresh', undefined, { authorization: 'Bearer static-user-key' })).status).toBe(403);
    expect((await call('DELETE', '/v1/registry/models/a/b', undefined, {})).status).toBe(401);
  });

  it('serves the stored hardware status, null before the first refresh', async () => {
    const res = await call('GET', '/v1/registry/status');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ object: 'registry.status', refreshed_at: null, hardware: null, recommendations: [], agents: [] });
  });
});
