import { BusError, RouterClient, SUBJECTS, type ModelRecord } from '@iir/contracts';
import { NatsBus, startService, type RunningService } from '@iir/platform';
import { requireService, scrapeMetrics, TEST_NATS_URL, uniquePrefix, waitFor } from '@iir/testing';
import { routerService } from '../src/router.service-definition';

function model(name: string): ModelRecord {
  const [provider = 'p', id = name] = name.split('/');
  return {
    name, provider, kind: 'hosted', protocol: 'openai', baseUrl: 'http://127.0.0.1:1/v1', upstreamModel: id,
    contextWindow: null, pricing: null, aliases: [], fallbacks: [], enabled: true,
    createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
  };
}

describe('router over real NATS with a scripted registry', () => {
  let bus: NatsBus;
  let router: RunningService;
  let client: RouterClient;
  let catalogue: { models: ModelRecord[]; version: number };

  beforeAll(async () => {
    await requireService('NATS', TEST_NATS_URL);
    const prefix = uniquePrefix('rt');
    bus = await NatsBus.connect({ servers: TEST_NATS_URL, subjectPrefix: prefix });
    // The router starts before any registry answers: it must come up and catch up later.
    router = await startService(routerService, {
      NATS_URL: TEST_NATS_URL,
      NATS_SUBJECT_PREFIX: prefix,
      ROUTER_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
    });
    client = new RouterClient(bus);
    catalogue = { models: [model('openai/gpt-4o-mini')], version: 1 };
    bus.handle(SUBJECTS.registry.listModels, () => catalogue, { queue: 'registry' });
    await bus.connection.flush();
  });

  afterAll(async () => {
    await router?.close();
    await bus?.drain();
  });

  it('becomes ready once the registry appears, and plans a known model', async () => {
    const plan = await waitFor(() => client.plan({ requestId: '1', model: 'openai/gpt-4o-mini', stream: false }), {
      what: 'a plan once the registry answers',
    });
    expect(plan.targets[0]).toMatchObject({ model: 'openai/gpt-4o-mini', upstreamModel: 'gpt-4o-mini' });
  });

  it('makes a model added to the registry plannable as soon as registry.models.changed is published', async () => {
    catalogue = { models: [...catalogue.models, model('anthropic/claude-new')], version: Date.now() };
    bus.publish(SUBJECTS.registry.changed, { version: catalogue.version, reason: 'test' });
    const plan = await waitFor(() => client.plan({ requestId: '2', model: 'anthropic/claude-new', stream: true }), {
      timeoutMs: 1_000,
      what: 'the new model to be routable',
    });
    expect(plan.model).toBe('anthropic/claude-new');
  });

  it('delivers an unknown model as a typed model_not_found with suggestions', async () => {
    const error = await client.plan({ requestId: '3', model: 'openai/gpt-4o-mnii', stream: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusError);
    expect(error).toMatchObject({ code: 'model_not_found', details: { suggestions: ['openai/gpt-4o-mini'] } });
  });

  it('counts plans by policy and outcome, times them and reports the catalogue size on /metrics', async () => {
    const before = await scrapeMetrics(router.port);
    await client.plan({ requestId: '4', model: 'openai/gpt-4o-mini', stream: false });
    await client.plan({ requestId: '5', model: 'nope/unknown', stream: false }).catch(() => undefined);
    const after = await scrapeMetrics(router.port);
    const moved = (name: string, labels: Record<string, string> = {}): number => after.value(name, labels) - before.value(name, labels);
    expect(moved('iir_router_plans_total', { policy: 'direct', outcome: 'ok' })).toBe(1);
    expect(moved('iir_router_plans_total', { policy: 'none', outcome: 'model_not_found' })).toBe(1);
    expect(moved('iir_router_plan_duration_seconds_count')).toBe(2);
    expect(after.value('iir_router_catalog_models')).toBe(2);
    expect(after.value('iir_router_catalog_reloads_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(after.value('iir_router_agents', { state: 'fresh' })).toBe(0);
    expect(after.names).toEqual(expect.arrayContaining(['iir_router_agents', 'iir_router_targets_in_cooldown']));
  });
});

describe('router whose registry stops answering catalogue refreshes', () => {
  let bus: NatsBus;
  let router: RunningService;
  let answering = true;
  const escaped: unknown[] = [];
  const onRejection = (reason: unknown): void => void escaped.push(reason);

  beforeAll(async () => {
    await requireService('NATS', TEST_NATS_URL);
    process.on('unhandledRejection', onRejection);
    const prefix = uniquePrefix('rtf');
    bus = await NatsBus.connect({ servers: TEST_NATS_URL, subjectPrefix: prefix });
    bus.handle(
      SUBJECTS.registry.listModels,
      () => {
        if (!answering) throw new BusError('service_unavailable', 'registry is down');
        return { models: [model('openai/gpt-4o-mini')], version: 1 };
      },
      { queue: 'registry' },
    );
    await bus.connection.flush();
    router = await startService(routerService, {
      NATS_URL: TEST_NATS_URL,
      NATS_SUBJECT_PREFIX: prefix,
      ROUTER_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      ROUTER_CATALOG_REFRESH_MS: '100',
    });
  });

  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await router?.close();
    await bus?.drain();
  });

  it('keeps the last catalogue, drops no promise, and recovers by itself', async () => {
    const client = new RouterClient(bus);
    await waitFor(() => client.plan({ requestId: 'f1', model: 'openai/gpt-4o-mini', stream: false }), { what: 'a first catalogue' });
    answering = false;
    const errors = async (): Promise<number> => {
      return (await scrapeMetrics(router.port)).value('iir_router_catalog_reloads_total', { outcome: 'error' });
    };
    const before = await errors();
    await waitFor(async () => (await errors()) >= before + 3, { what: 'three failed refreshes' });
    // Plans still come from the last catalogue, and no failed refresh escaped as an unhandled rejection.
    expect((await client.plan({ requestId: 'f2', model: 'openai/gpt-4o-mini', stream: false })).model).toBe('openai/gpt-4o-mini');
    await new Promise((r) => setImmediate(r));
    expect(escaped).toEqual([]);
    answering = true;
    await waitFor(async () => (await client.plan({ requestId: 'f3', model: 'openai/gpt-4o-mini', stream: false })).model === 'openai/gpt-4o-mini', {
      what: 'plans after the registry is back',
    });
  });
});
