import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule } from '@iir/persistence';
import { AgentsModule } from './agents/agents.module';
import { REGISTRY_SCHEMA } from './database/data-source';
import { HardwareModule } from './hardware/hardware.module';
import { ModelsModule } from './models/models.module';
import { agentSettings, databaseSettings, hardwareOptions, seedOptions, type RegistryConfig } from './registry.config';

@Module({})
export class RegistryModule {
  static register(config: RegistryConfig): DynamicModule {
    // Checked before any provider starts (the database opens concurrently with the others).
    const agents = agentSettings(config);
    return {
      module: RegistryModule,
      imports: [
        DatabaseModule.forRoot(databaseSettings(config), REGISTRY_SCHEMA),
        ModelsModule.register(seedOptions(config)),
        HardwareModule.register(hardwareOptions(config)),
        AgentsModule.register(agents),
      ],
    };
  }
}
