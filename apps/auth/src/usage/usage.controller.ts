import { SUBJECTS, type StatsRequest, type StatsResponse, type UsageGetRequest, type UsageRecord } from '@iir/contracts';
import { BusController } from '@iir/platform';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { StatsService } from './stats.service';

@BusController()
export class UsageController {
  constructor(private readonly statsService: StatsService) {}

  @MessagePattern(SUBJECTS.auth.stats)
  stats(@Payload() request: StatsRequest | null): Promise<StatsResponse> {
    return this.statsService.stats(request);
  }

  @MessagePattern(SUBJECTS.auth.getUsage)
  get(@Payload() request: UsageGetRequest | null): Promise<UsageRecord> {
    return this.statsService.get(request);
  }
}
