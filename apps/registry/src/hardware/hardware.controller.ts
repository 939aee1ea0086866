import { SUBJECTS, type HardwareStatusResponse } from '@iir/contracts';
import { BusController } from '@iir/platform';
import { MessagePattern } from '@nestjs/microservices';
import { HardwareService } from './hardware.service';

/** The registry's bus API for hardware discovery. */
@BusController()
export class HardwareController {
  constructor(private readonly hardware: HardwareService) {}

  @MessagePattern(SUBJECTS.registry.refreshHardware)
  refresh(): Promise<HardwareStatusResponse> {
    return this.hardware.refresh();
  }

  @MessagePattern(SUBJECTS.registry.hardwareStatus)
  status(): Promise<HardwareStatusResponse> {
    return this.hardware.status();
  }
}
