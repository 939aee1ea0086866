import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule } from './database/database.module';
import { ModelsModule } from './models/models.module';
import { databaseSettings, seedOptions, type RegistryConfig } from './registry.config';

@Module({})
export class RegistryModule {
  static register(config: RegistryConfig): DynamicModule {
    return {
      module: RegistryModule,
      imports: [DatabaseModule.forRoot(databaseSettings(config)), ModelsModule.register(seedOptions(config))],
    };
  }
}
