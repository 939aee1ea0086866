import type { RegistryClient } from '@iir/contracts';
import { Body, Controller, HttpCode, Inject, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AGENT_ROUTES, ApiKeyGuard } from '../auth/api-key.guard';
import { presentedKey } from '../auth/presented-key';
import { principalOf } from '../auth/principal';
import { ApiError } from '../errors/api-error';
import { REGISTRY_CLIENT } from '../gateway.tokens';
import { agentJson, heartbeatFromHttp, registrationFromHttp } from './agent-http';

/**
 * `POST /register` and `POST /heartbeat` for agents that speak HTTP instead of NATS: the same calls,
 * forwarded to the registry over the bus with the caller's key as the agent's credential (the
 * registry checks it again). An agent key (`iir agents token create <id>`) may speak for its own id
 * only; an admin key for any. Anything else is refused, also on an open gateway.
 */
@Controller()
@UseGuards(ApiKeyGuard)
export class AgentsController {
  constructor(@Inject(REGISTRY_CLIENT) private readonly registry: RegistryClient) {}

  @Post('register')
  @HttpCode(200)
  async register(@Body() body: unknown, @Req() request: FastifyRequest): Promise<Record<string, unknown>> {
    const registration = registrationFromHttp(body);
    const credential = mayActFor(request, registration.agentId);
    return agentJson(await this.registry.registerAgent({ ...registration, credential }));
  }

  /** 404 `not_found` when the registry does not know the agent: it should register again. */
  @Post('heartbeat')
  @HttpCode(200)
  async heartbeat(@Body() body: unknown, @Req() request: FastifyRequest): Promise<Record<string, unknown>> {
    const heartbeat = heartbeatFromHttp(body);
    const credential = mayActFor(request, heartbeat.agentId);
    return agentJson(await this.registry.agentHeartbeat({ ...heartbeat, credential }));
  }
}

AGENT_ROUTES.controller = AgentsController;

/** The caller's credential, once it is known to speak for `agentId`. */
function mayActFor(request: FastifyRequest, agentId: unknown): string {
  const principal = principalOf(request);
  if (principal.source === 'anonymous') {
    throw new ApiError('invalid_api_key', "Agent registration needs the agent's credential (or an admin key) as 'Authorization: Bearer <key>'.");
  }
  if (principal.role === 'admin') return presentedKey(request) as string;
  if (principal.role === 'agent' && typeof agentId === 'string' && principal.agentId === agentId) return presentedKey(request) as string;
  throw new ApiError('permission_denied', principal.role === 'agent' ? `This agent key speaks for '${principal.agentId ?? '?'}', not '${String(agentId)}'.` : 'Agent registration needs an agent key or an admin key.');
}
