import {
  SUBJECTS,
  type ModelCreateResponse,
  type ModelDeleteRequest,
  type ModelDeleteResponse,
  type ModelGetRequest,
  type ModelGetResponse,
  type ModelsListRequest,
  type ModelsListResponse,
  type ModelUpdateRequest,
  type ModelUpdateResponse,
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
    return measured(this.metrics, 'get', () => this.models.get(request?.name, request?.includeDisabled === true));
  }

  /** Validated field by field in the service: the payload is whatever the caller sent. */
  @MessagePattern(SUBJECTS.registry.createModel)
  create(@Payload() request: unknown): Promise<ModelCreateResponse> {
    return this.models.create(request);
  }

  @MessagePattern(SUBJECTS.registry.updateModel)
  update(@Payload() request: Partial<ModelUpdateRequest> | null): Promise<ModelUpdateResponse> {
    return this.models.update(request?.name, request?.changes ?? {});
  }

  @MessagePattern(SUBJECTS.registry.deleteModel)
  remove(@Payload() request: ModelDeleteRequest | null): Promise<ModelDeleteResponse> {
    return this.models.remove(request?.name);
  }
}
