import { BusError, ClassifierClient, isAutoModel, SUBJECTS, type Bus, type ClassifyResponse, type PlanRequest, type PlanResponse } from '@iir/contracts';
import { BUS, BusController, JsonLogger, secondsSince } from '@iir/platform';
import { Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AgentsService } from '../agents/agents.service';
import { AutoPlanner } from '../auto/auto-planner';
import { CatalogService } from '../catalog/catalog.service';
import { routerMetrics, type PlanOutcome } from '../metrics/router-metrics';
import { TargetHealthService } from '../health/target-health.service';
import { PolicyPlanner } from '../policies/policy-planner';
import { applyProviderPreferences } from './provider-preferences';
import { RoutingConfigService } from '../policies/routing-config.service';

export const CLASSIFIER_TIMEOUT_MS = Symbol('CLASSIFIER_TIMEOUT_MS');

/** `router.plan.create`: where a request should run, in order, and why. */
@BusController()
export class PlanController {
  private readonly metrics = routerMetrics();
  private readonly classifier: ClassifierClient;
  private readonly auto: AutoPlanner;
  private lastClassifierWarning = 0;

  constructor(
    @Inject(BUS) bus: Bus,
    @Inject(CLASSIFIER_TIMEOUT_MS) classifierTimeoutMs: number,
    private readonly logger: JsonLogger,
    private readonly catalog: CatalogService,
    private readonly routing: RoutingConfigService,
    private readonly agents: AgentsService,
    private readonly health: TargetHealthService,
    @Inject(PolicyPlanner) private readonly planner: PolicyPlanner,
  ) {
    this.classifier = new ClassifierClient(bus, classifierTimeoutMs);
    this.auto = new AutoPlanner(planner);
  }

  @MessagePattern(SUBJECTS.router.plan)
  plan(@Payload() request: PlanRequest): PlanResponse | Promise<PlanResponse> {
    if (typeof request?.model === 'string' && isAutoModel(request.model)) return this.planAuto(request);
    const start = process.hrtime.bigint();
    try {
      const planned = this.planner.plan(
        { catalog: this.catalog.catalog, policies: this.routing.policies, agents: this.agents.agents, health: this.health.health },
        request,
      );
      const plan = this.preferences(planned, request);
      this.count(plan.policy, 'ok', start);
      return plan;
    } catch (error) {
      // No policy answered: the request failed before one could order targets.
      this.count('none', error instanceof BusError && error.code === 'model_not_found' ? 'model_not_found' : 'error', start);
      throw error;
    }
  }

  /** The request's `provider` object, last: it narrows and reorders what the policy chose. A plan it shaped is not reused. */
  private preferences(plan: PlanResponse, request: PlanRequest): PlanResponse {
    if (!request.provider) return plan;
    const shaped = applyProviderPreferences(plan, request.provider, { catalog: this.catalog.catalog, health: this.health.health, agents: this.agents.agents });
    return shaped === plan ? plan : { ...shaped, cacheTtlMs: request.provider.sort === 'latency' || request.provider.sort === 'throughput' ? 0 : plan.cacheTtlMs };
  }

  /** `auto`: ask the classifier (never fatal: without it the default tiers answer), then the auto policy. */
  private async planAuto(request: PlanRequest): Promise<PlanResponse> {
    let classification: ClassifyResponse | undefined;
    if (request.classify?.some((m) => m.role === 'user')) {
      try {
        classification = await this.classifier.classify({ messages: request.classify, requestId: request.requestId });
      } catch (error) {
        this.metrics.autoClassifierFailures.inc();
        // Once a minute at most: an outage must not flood the log.
        if (Date.now() - this.lastClassifierWarning > 60_000) {
          this.lastClassifierWarning = Date.now();
          this.logger.write('warn', 'auto: the classifier did not answer; planning on the default tiers', { err: (error as Error).message });
        }
      }
    }
    const start = process.hrtime.bigint();
    try {
      const plan = this.preferences(
        this.auto.plan(
          { catalog: this.catalog.catalog, policies: this.routing.policies, agents: this.agents.agents, health: this.health.health },
          request,
          classification,
        ),
        request,
      );
      this.metrics.autoDecisions.inc({ label: classification?.label ?? 'none', complexity: classification?.complexity ?? 'none', tier: plan.auto?.tier ?? 'none' });
      this.count('auto', 'ok', start);
      return plan;
    } catch (error) {
      this.count('auto', error instanceof BusError && error.code === 'model_not_found' ? 'model_not_found' : 'error', start);
      throw error;
    }
  }

  private count(policy: string, outcome: PlanOutcome, start: bigint): void {
    this.metrics.planDuration.observe(secondsSince(start));
    this.metrics.plans.inc({ policy, outcome });
  }
}
