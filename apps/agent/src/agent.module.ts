import { Module, type DynamicModule } from '@nestjs/common';

@Module({})
export class AgentModule {
  static register(): DynamicModule {
    return { module: AgentModule };
  }
}
