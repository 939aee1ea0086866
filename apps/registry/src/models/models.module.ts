import { Module, type DynamicModule } from '@nestjs/common';
import { Seeder, SEED_OPTIONS, type SeedOptions } from '../seed/seeder';
import { ModelsController } from './models.controller';
import { ModelsRepository } from './models.repository';
import { ModelsService } from './models.service';

/** Models: the table, its seeding, the in-memory catalogue and the bus handlers. */
@Module({})
export class ModelsModule {
  static register(seed: SeedOptions): DynamicModule {
    return {
      module: ModelsModule,
      controllers: [ModelsController],
      providers: [{ provide: SEED_OPTIONS, useValue: seed }, ModelsRepository, Seeder, ModelsService],
    };
  }
}
