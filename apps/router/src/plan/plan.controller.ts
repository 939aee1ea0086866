import { BusError, SUBJECTS, type PlanRequest, type PlanResponse } from '@iir/contracts';
import { BusController, secondsSince } from '@iir/platform';
import { Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AgentsService } from '../agents/agents.service';
import { CatalogService } from '../catalog/catalog.service';
import { routerMetrics, type PlanOutcome } from '../metrics/router-metrics';
import { TargetHealthService } from '../health/target-health.service';
import { PolicyPlanner } from '../policies/policy-planner';
import { RoutingConfigService } from '../policies/routing-config.service';

/** `router.plan.create`: where a request should run, in order, and why. */
@BusController()
export class PlanController {
  private readonly metrics = routerMetrics();

  constructor(
    private readonly catalog: CatalogService,
    private readonly routing: RoutingConfigService,
    private readonly agents: AgentsService,
    private readonly health: TargetHealthService,
    @Inject(PolicyPlanner) private readonly planner: PolicyPlanner,
  ) {}

  @MessagePattern(SUBJECTS.router.plan)
  plan(@Payload() request: PlanRequest): PlanResponse {
    const start = process.hrtime.bigint();
    try {
      const plan = this.planner.plan(
        { catalog: this.catalog.catalog, policies: this.routing.policies, agents: this.agents.agents, health: this.health.health },
        request,
      );
      this.count(plan.policy, 'ok', start);
      return plan;
    } catch (error) {
      // No policy answered: the request failed before one could order targets.
      this.count('none', error instanceof BusError && error.code === 'model_not_found' ? 'model_not_found' : 'error', start);
      throw error;
    }
  }

  private count(policy: string, outcome: PlanOutcome, start: bigint): void {
    this.metrics.planDuration.observe(secondsSince(start));
    this.metrics.plans.inc({ policy, outcome });
  }
}
