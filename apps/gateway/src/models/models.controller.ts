import type { ModelList, ModelObject } from '@iir/contracts';
import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { StaticKeysGuard } from '../auth/static-keys.guard';
import { ModelsCatalog } from './models-catalog.service';

/** `GET /v1/models` and `GET /v1/models/{id}` (ids contain a slash: `openai/gpt-4o-mini`). */
@Controller('v1/models')
@UseGuards(StaticKeysGuard)
export class ModelsController {
  constructor(private readonly catalog: ModelsCatalog) {}

  @Get()
  list(): Promise<ModelList> {
    return this.catalog.list();
  }

  @Get('*id')
  get(@Param('id') id: string | string[]): Promise<ModelObject> {
    return this.catalog.get(Array.isArray(id) ? id.join('/') : id);
  }
}
