import { RegistryClient } from '@iir/contracts';
import { Body, Controller, Delete, Get, HttpCode, Inject, Patch, Post, Query, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AdminGuard } from '../auth/admin.guard';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ApiError } from '../errors/api-error';
import { REGISTRY_CLIENT } from '../gateway.tokens';
import { hardwareJson, modelInputFromHttp, modelJson } from './registry-json';

type Json = Record<string, unknown>;

/**
 * `/v1/registry`: the registry's admin API (models, hardware discovery), admin keys only. Model
 * names contain a slash, so `{name}` is the rest of the path (`/v1/registry/models/openai/gpt-4o`)
 * or one URL-encoded segment (`openai%2Fgpt-4o`). HTTP is snake_case; the bus speaks camelCase.
 */
@Controller('v1/registry')
@UseGuards(ApiKeyGuard, AdminGuard)
export class RegistryAdminController {
  constructor(@Inject(REGISTRY_CLIENT) private readonly registry: RegistryClient) {}

  @Get('models')
  async list(@Query('include_disabled') includeDisabled?: string): Promise<{ object: 'list'; data: Json[] }> {
    // Admins see disabled models unless they ask otherwise.
    const { models } = await this.registry.listModels({ includeDisabled: includeDisabled !== 'false' && includeDisabled !== '0' });
    return { object: 'list', data: models.map(modelJson) };
  }

  @Post('models')
  @HttpCode(201)
  async create(@Body() body: unknown): Promise<Json> {
    return modelJson(await this.registry.createModel(modelInputFromHttp(body) as never));
  }

  @Get('models/*')
  async get(@Req() request: FastifyRequest): Promise<Json> {
    const name = modelName(request);
    const model = await this.registry.getModel(name, { includeDisabled: true }).catch((error: unknown) => {
      throw notFoundByName(error, name);
    });
    return modelJson(model);
  }

  @Patch('models/*')
  async update(@Req() request: FastifyRequest, @Body() body: unknown): Promise<Json> {
    return modelJson(await this.registry.updateModel(modelName(request), modelInputFromHttp(body)));
  }

  @Delete('models/*')
  async remove(@Req() request: FastifyRequest): Promise<Json> {
    const { name } = await this.registry.deleteModel(modelName(request));
    return { object: 'registry.model', name, deleted: true };
  }

  /** `POST /v1/registry/models/{name}/enable` and `…/disable`. */
  @Post('models/*')
  @HttpCode(200)
  async action(@Req() request: FastifyRequest): Promise<Json> {
    const path = modelName(request);
    const slash = path.lastIndexOf('/');
    const verb = path.slice(slash + 1);
    if (slash <= 0 || (verb !== 'enable' && verb !== 'disable')) {
      throw new ApiError('not_found', `Unknown route POST /v1/registry/models/${path}; use …/{name}/enable or …/{name}/disable.`);
    }
    return modelJson(await this.registry.setModelEnabled(path.slice(0, slash), verb === 'enable'));
  }

  /** Detects the registry host's hardware now and stores it with fresh recommendations. */
  @Post('refresh')
  @HttpCode(200)
  async refresh(): Promise<Json> {
    return hardwareJson(await this.registry.refreshHardware());
  }

  /** The last discovery, as stored; never detects by itself. */
  @Get('status')
  async status(): Promise<Json> {
    return hardwareJson(await this.registry.hardwareStatus());
  }
}

function modelName(request: FastifyRequest): string {
  const raw = (request.params as Record<string, string | undefined>)['*'] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ApiError('invalid_request_error', `'${raw}' is not a valid URL-encoded model name.`, { param: 'name' });
  }
}

/** `registry.models.get` answers `model_not_found` (a routing error); an admin lookup is a plain 404 on the name. */
function notFoundByName(error: unknown, name: string): unknown {
  const api = ApiError.from(error);
  if (api.code !== 'model_not_found') return error;
  return new ApiError('not_found', `No model named '${name}' in the registry.`, { param: 'name' });
}
