import type { ModelList, ModelObject } from '@iir/contracts';
import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { modelAccess } from '../auth/model-access';
import { principalOf } from '../auth/principal';
import { ApiError } from '../errors/api-error';
import { ModelsCatalog } from './models-catalog.service';

/** `GET /v1/models` and `GET /v1/models/{id}` (ids contain a slash: `openai/gpt-4o-mini`). */
@Controller('v1/models')
@UseGuards(ApiKeyGuard)
export class ModelsController {
  constructor(private readonly catalog: ModelsCatalog) {}

  /** Only the models the key may use. */
  @Get()
  async list(@Req() request: FastifyRequest): Promise<ModelList> {
    const list = await this.catalog.list();
    const access = modelAccess(principalOf(request).allowedModels);
    return access.unrestricted ? list : { ...list, data: list.data.filter((m) => access.allows(m.id)) };
  }

  @Get('*')
  async get(@Req() request: FastifyRequest): Promise<ModelObject> {
    const id = decodeURIComponent((request.params as Record<string, string>)['*'] ?? '');
    const access = modelAccess(principalOf(request).allowedModels);
    const found = await this.catalog.get(id, (name) => access.allows(name));
    if (!access.allows(found.id)) {
      throw new ApiError('permission_denied', `This API key may not use the model '${found.id}'.`, { param: 'model' });
    }
    return found;
  }
}
