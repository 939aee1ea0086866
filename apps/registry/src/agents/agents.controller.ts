import { SUBJECTS, type AgentRecord, type AgentsListRequest, type AgentsListResponse } from '@iir/contracts';
import { BusController } from '@iir/platform';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AgentsService } from './agents.service';

/** The registry's bus API for agents. Payloads are validated by the service. */
@BusController()
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @MessagePattern(SUBJECTS.registry.registerAgent)
  register(@Payload() request: unknown): Promise<AgentRecord> {
    return this.agents.register(request);
  }

  @MessagePattern(SUBJECTS.registry.agentHeartbeat)
  heartbeat(@Payload() heartbeat: unknown): Promise<AgentRecord> {
    return this.agents.heartbeat(heartbeat);
  }

  @MessagePattern(SUBJECTS.registry.listAgents)
  list(@Payload() request: AgentsListRequest | null): Promise<AgentsListResponse> {
    return this.agents.list(request ?? {});
  }
}
