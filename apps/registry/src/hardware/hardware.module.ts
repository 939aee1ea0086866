import { Module, type DynamicModule } from '@nestjs/common';
import { HardwareController } from './hardware.controller';
import { HARDWARE_OPTIONS, HardwareService, type HardwareOptions } from './hardware.service';

/** Hardware discovery: probe on request, store per host, recommend from the catalog file. */
@Module({})
export class HardwareModule {
  static register(options: HardwareOptions): DynamicModule {
    return {
      module: HardwareModule,
      controllers: [HardwareController],
      providers: [{ provide: HARDWARE_OPTIONS, useValue: options }, HardwareService],
    };
  }
}
