import { Module, type DynamicModule } from '@nestjs/common';
import { agentMetrics } from './agent-metrics';

@Module({})
export class AgentModule {
  static register(): DynamicModule {
    agentMetrics();
    return { module: AgentModule };
  }
}
