import type { ModelList, ModelObject } from '@iir/contracts';
import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ModelsCatalog } from './models-catalog.service';

/** `GET /v1/models` and `GET /v1/models/{id}` (ids contain a slash: `openai/gpt-4o-mini`). */
@Controller('v1/models')
@UseGuards(ApiKeyGuard)
export class ModelsController {
  constructor(private readonly catalog: ModelsCatalog) {}

  @Get()
  list(): Promise<ModelList> {
    return this.catalog.list();
  }

  @Get('*')
  get(@Req() request: FastifyRequest): Promise<ModelObject> {
    const id = (request.params as Record<string, string>)['*'] ?? '';
    return this.catalog.get(decodeURIComponent(id));
  }
}
