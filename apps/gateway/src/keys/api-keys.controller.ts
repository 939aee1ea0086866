import { AuthClient, type ApiKeyInfo, type KeyCreateRequest } from '@iir/contracts';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AUTH_SETTINGS, type AuthSettings } from '../auth/auth-settings';
import { principalOf } from '../auth/principal';
import { AdminGuard } from '../auth/admin.guard';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { KeyVerifier } from '../auth/key-verifier';
import { sha256 } from '../auth/presented-key';
import { isKeylessRegistration, RegistrationGuard } from '../auth/registration.guard';
import { ApiError } from '../errors/api-error';
import { AUTH_CLIENT } from '../gateway.tokens';
import { withinCeilings } from './registration-ceilings';

/**
 * `/api/v1/apikeys`: register (the secret is in this answer and nowhere else, ever), list and
 * revoke keys. The HTTP shape is snake_case; the bus speaks camelCase.
 */
@Controller('api/v1/apikeys')
export class ApiKeysController {
  constructor(
    @Inject(AUTH_CLIENT) private readonly auth: AuthClient,
    private readonly verifier: KeyVerifier,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
  ) {}

  @Post()
  @HttpCode(201)
  @UseGuards(RegistrationGuard)
  async create(@Body() body: unknown, @Req() request: FastifyRequest): Promise<Record<string, unknown>> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ApiError('invalid_request_error', 'The request body must be a JSON object.');
    }
    const b = body as Record<string, unknown>;
    let ask: KeyCreateRequest = {
      description: b['description'] as string | undefined,
      role: b['role'] as never,
      priority: b['priority'] as number | undefined,
      rpm: (b['rpm'] ?? b['rpm_limit']) as number | null | undefined,
      tpm: (b['tpm'] ?? b['tpm_limit']) as number | null | undefined,
      allowedModels: b['allowed_models'] as string[] | undefined,
      expiresAt: b['expires_at'] as string | null | undefined,
      ...(b['agent_id'] !== undefined ? { agentId: b['agent_id'] as string } : {}),
    };
    if (isKeylessRegistration(request, principalOf(request))) ask = withinCeilings(ask, this.settings.registration);
    const created = await this.auth.createKey(ask);
    this.verifier.forget(sha256(created.secret).toString('hex'));
    return { api_key: created.secret, ...keyJson(created.key) };
  }

  @Get()
  @UseGuards(ApiKeyGuard, AdminGuard)
  async list(@Query('include_revoked') includeRevoked?: string): Promise<{ object: 'list'; data: Array<Record<string, unknown>> }> {
    const keys = await this.auth.listKeys({ includeRevoked: includeRevoked === 'true' || includeRevoked === '1' });
    return { object: 'list', data: keys.map(keyJson) };
  }

  @Delete(':id')
  @UseGuards(ApiKeyGuard, AdminGuard)
  async revoke(@Param('id') id: string): Promise<Record<string, unknown>> {
    const key = await this.auth.revokeKey(id);
    return { ...keyJson(key), revoked: true };
  }
}

export function keyJson(key: ApiKeyInfo): Record<string, unknown> {
  return {
    id: key.id,
    object: 'api_key',
    display_prefix: key.displayPrefix,
    description: key.description,
    role: key.role,
    priority: key.priority,
    rpm: key.rpm,
    tpm: key.tpm,
    allowed_models: key.allowedModels,
    expires_at: key.expiresAt,
    created_at: key.createdAt,
    revoked_at: key.revokedAt,
    ...(key.agentId ? { agent_id: key.agentId } : {}),
  };
}
