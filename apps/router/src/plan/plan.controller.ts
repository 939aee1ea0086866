import { SUBJECTS, type PlanRequest, type PlanResponse } from '@iir/contracts';
import { BusController } from '@iir/platform';
import { Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AgentsService } from '../agents/agents.service';
import { CatalogService } from '../catalog/catalog.service';
import { TargetHealthService } from '../health/target-health.service';
import { PolicyPlanner } from '../policies/policy-planner';
import { RoutingConfigService } from '../policies/routing-config.service';

/** `router.plan.create`: where a request should run, in order, and why. */
@BusController()
export class PlanController {
  constructor(
    private readonly catalog: CatalogService,
    private readonly routing: RoutingConfigService,
    private readonly agents: AgentsService,
    private readonly health: TargetHealthService,
    @Inject(PolicyPlanner) private readonly planner: PolicyPlanner,
  ) {}

  @MessagePattern(SUBJECTS.router.plan)
  plan(@Payload() request: PlanRequest): PlanResponse {
    return this.planner.plan(
      { catalog: this.catalog.catalog, policies: this.routing.policies, agents: this.agents.agents, health: this.health.health },
      request,
    );
  }
}
