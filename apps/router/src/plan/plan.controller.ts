import { SUBJECTS, type PlanRequest, type PlanResponse } from '@iir/contracts';
import { BusController } from '@iir/platform';
import { Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CatalogService } from '../catalog/catalog.service';
import { Planner } from './planner';

/** `router.plan.create`: where a request should run, in order, and why. */
@BusController()
export class PlanController {
  constructor(
    private readonly catalog: CatalogService,
    @Inject(Planner) private readonly planner: Planner,
  ) {}

  @MessagePattern(SUBJECTS.router.plan)
  plan(@Payload() request: PlanRequest): PlanResponse {
    return this.planner.plan(this.catalog.catalog, request);
  }
}
