import type { Bus, ModelRecord, PlanRequest, PlanResponse, Target } from '@iir/contracts';
import { BusError, SUBJECTS } from '@iir/contracts';
import { NatsBus, startService, type RunningService } from '@iir/platform';
import { requireService, TEST_NATS_URL, uniquePrefix } from '@iir/testing';
import { gatewayService } from '../src/gateway.service-definition';

/**
 * The real gateway over a real NATS, with the router and registry scripted on the same bus (the
 * gateway's own tests must not import other apps; the full-stack tests live in apps/e2e).
 */
export class GatewayHarness {
  gateway!: RunningService;
  bus!: Bus;
  readonly plans: PlanRequest[] = [];
  /** model name → targets the scripted router answers with. */
  routes = new Map<string, Target[]>();
  models: ModelRecord[] = [];
  /** The near misses the scripted router names for an unknown model. */
  suggest: (model: string) => string[] = () => ['fake/echo'];

  get baseUrl(): string {
    return `http://127.0.0.1:${this.gateway.port}`;
  }

  async start(env: Record<string, string> = {}): Promise<this> {
    await requireService('NATS', TEST_NATS_URL);
    const prefix = uniquePrefix('gw');
    this.bus = await NatsBus.connect({ servers: TEST_NATS_URL, subjectPrefix: prefix });
    this.bus.handle(
      SUBJECTS.router.plan,
      (payload) => {
        const req = payload as PlanRequest;
        this.plans.push(req);
        const targets = [req.model, ...(req.models ?? [])].flatMap((m) => this.routes.get(m) ?? []);
        if (targets.length === 0) {
          const suggestions = this.suggest(req.model);
          throw new BusError('model_not_found', `The model '${req.model}' does not exist. Did you mean: ${suggestions.join(', ')}?`, { suggestions });
        }
        const plan: PlanResponse = { model: targets[0]?.model ?? req.model, targets, policy: 'direct', reason: 'scripted' };
        return plan;
      },
      { queue: 'router' },
    );
    this.bus.handle(SUBJECTS.registry.listModels, () => ({ models: this.models, version: 1 }), { queue: 'registry' });
    await (this.bus as NatsBus).connection.flush();
    this.gateway = await startService(gatewayService, {
      NATS_URL: TEST_NATS_URL,
      NATS_SUBJECT_PREFIX: prefix,
      GATEWAY_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      UPSTREAM_RETRY_BACKOFF_MS: '1',
      // A test that leaves a connection open must not hold its teardown for the default 10 s.
      SHUTDOWN_GRACE_MS: '1000',
      ...env,
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.gateway?.close();
    await this.bus?.drain();
  }
}

export function target(model: string, baseUrl: string, overrides: Partial<Target> = {}): Target {
  return {
    model,
    provider: model.split('/')[0] ?? 'fake',
    kind: 'hosted',
    protocol: 'openai',
    baseUrl,
    upstreamModel: model.split('/')[1] ?? model,
    ...overrides,
  };
}

export function modelRecord(name: string, overrides: Partial<ModelRecord> = {}): ModelRecord {
  return {
    name,
    provider: name.split('/')[0] ?? 'fake',
    kind: 'hosted',
    protocol: 'openai',
    baseUrl: 'http://127.0.0.1:1/v1',
    upstreamModel: name.split('/')[1] ?? name,
    contextWindow: 8192,
    pricing: { promptPerMTok: 0.15, completionPerMTok: 0.6 },
    aliases: [],
    fallbacks: [],
    enabled: true,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}
