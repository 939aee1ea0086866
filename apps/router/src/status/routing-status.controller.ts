import { SUBJECTS, type RoutingStatusResponse } from '@iir/contracts';
import { BusController } from '@iir/platform';
import { MessagePattern } from '@nestjs/microservices';
import { AgentsService } from '../agents/agents.service';
import { TargetHealthService } from '../health/target-health.service';
import { RoutingConfigService } from '../policies/routing-config.service';

/** `router.routing.status`: the policies, target health and agent load this replica routes by. */
@BusController()
export class RoutingStatusController {
  constructor(
    private readonly routing: RoutingConfigService,
    private readonly agents: AgentsService,
    private readonly health: TargetHealthService,
  ) {}

  @MessagePattern(SUBJECTS.router.status)
  status(): RoutingStatusResponse {
    const { failures, cooldownMs } = this.health.health.settings;
    return {
      policies: this.routing.policies.view(),
      config: this.routing.status,
      cooldown: { failures, ms: cooldownMs },
      health: this.health.health.view(),
      agents: this.agents.agents.view(this.routing.policies.agentRules),
    };
  }
}
