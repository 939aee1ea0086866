import { Module, type DynamicModule } from '@nestjs/common';
import { StatsService } from './stats.service';
import { UsageConsumer } from './usage-consumer';
import { UsageController } from './usage.controller';
import { UsageLedger } from './usage-ledger';

@Module({})
export class UsageModule {
  static register(maxAgeMs: number): DynamicModule {
    return {
      module: UsageModule,
      controllers: [UsageController],
      providers: [UsageLedger, StatsService, UsageConsumer, { provide: 'USAGE_STREAM_MAX_AGE_MS', useValue: maxAgeMs }],
    };
  }
}
