import {
  SUBJECTS,
  type ModelGetRequest,
  type ModelGetResponse,
  type ModelsListRequest,
  type ModelsListResponse,
} from '@iir/contracts';
import { BusController } from '@iir/platform';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { measured, registryMetrics } from '../metrics/registry-metrics';
import { ModelsService } from './models.service';

/** The registry's bus API for models. */
@BusController()
export class ModelsController {
  private readonly metrics = registryMetrics();

  constructor(private readonly models: ModelsService) {}

  @MessagePattern(SUBJECTS.registry.listModels)
  list(@Payload() request: ModelsListRequest | null): Promise<ModelsListResponse> {
    return measured(this.metrics, 'list', () => this.models.list(request ?? {}));
  }

  @MessagePattern(SUBJECTS.registry.getModel)
  get(@Payload() request: ModelGetRequest | null): Promise<ModelGetResponse> {
    return measured(this.metrics, 'get', () => this.models.get(request?.name));
  }
}
