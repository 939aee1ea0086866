import { SUBJECTS, type HardwareStatusResponse } from '@iir/contracts';
import { BusController } from '@iir/platform';
import { MessagePattern } from '@nestjs/microservices';
import { AgentsService } from '../agents/agents.service';
import { HardwareService } from './hardware.service';

/** The registry's bus API for hardware discovery. */
@BusController()
export class HardwareController {
  constructor(
    private readonly hardware: HardwareService,
    private readonly agents: AgentsService,
  ) {}

  @MessagePattern(SUBJECTS.registry.refreshHardware)
  async refresh(): Promise<HardwareStatusResponse> {
    return this.withAgents(await this.hardware.refresh());
  }

  @MessagePattern(SUBJECTS.registry.hardwareStatus)
  async status(): Promise<HardwareStatusResponse> {
    return this.withAgents(await this.hardware.status());
  }

  private async withAgents(status: HardwareStatusResponse): Promise<HardwareStatusResponse> {
    const { agents } = await this.agents.list({ includeStale: true });
    return { ...status, agents: agents.map((a) => ({ agentId: a.agentId, freshness: a.freshness, models: a.models, hardware: a.hardware })) };
  }
}
