import { BusError, SUBJECTS, type PlanRequest, type PlanResponse } from '@iir/contracts';
import { BusController, secondsSince } from '@iir/platform';
import { Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CatalogService } from '../catalog/catalog.service';
import { routerMetrics, type PlanOutcome } from '../metrics/router-metrics';
import { Planner } from './planner';

/** `router.plan.create`: where a request should run, in order, and why. */
@BusController()
export class PlanController {
  private readonly metrics = routerMetrics();

  constructor(
    private readonly catalog: CatalogService,
    @Inject(Planner) private readonly planner: Planner,
  ) {}

  @MessagePattern(SUBJECTS.router.plan)
  plan(@Payload() request: PlanRequest): PlanResponse {
    const start = process.hrtime.bigint();
    try {
      const plan = this.planner.plan(this.catalog.catalog, request);
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
