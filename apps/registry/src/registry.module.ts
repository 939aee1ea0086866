import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule } from '@iir/persistence';
import { AgentsModule } from './agents/agents.module';
import { REGISTRY_SCHEMA } from './database/data-source';
import { ModelsModule } from './models/models.module';
import { agentSettings, databaseSettings, seedOptions, type RegistryConfig } from './registry.config';

@Module({})
export class RegistryModule {
  static register(config: RegistryConfig): DynamicModule {
    return {
      module: RegistryModule,
      imports: [
        DatabaseModule.forRoot(databaseSettings(config), REGISTRY_SCHEMA),
        ModelsModule.register(seedOptions(config)),
        AgentsModule.register(() => agentSettings(config)),
      ],
    };
  }
}
