import {
  SUBJECTS,
  type ModelGetRequest,
  type ModelGetResponse,
  type ModelsListRequest,
  type ModelsListResponse,
} from '@iir/contracts';
import { BusController } from '@iir/platform';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ModelsService } from './models.service';

/** The registry's bus API for models. */
@BusController()
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @MessagePattern(SUBJECTS.registry.listModels)
  list(@Payload() request: ModelsListRequest | null): Promise<ModelsListResponse> {
    return this.models.list(request ?? {});
  }

  @MessagePattern(SUBJECTS.registry.getModel)
  get(@Payload() request: ModelGetRequest | null): Promise<ModelGetResponse> {
    return this.models.get(request?.name);
  }
}
