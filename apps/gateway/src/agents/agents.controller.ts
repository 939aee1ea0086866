import type { RegistryClient } from '@iir/contracts';
import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { AdminGuard } from '../auth/admin.guard';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { REGISTRY_CLIENT } from '../gateway.tokens';
import { agentJson, heartbeatFromHttp, registrationFromHttp } from './agent-http';

/**
 * `POST /register` and `POST /heartbeat` for agents that speak HTTP instead of NATS: the same
 * calls, forwarded to the registry over the bus. They need an admin key, also on an open gateway
 * (agents have no credentials of their own yet): a user key could otherwise take over an agent id.
 * The registry also holds a live agent's id to its `instance_token`.
 */
@Controller()
@UseGuards(ApiKeyGuard, AdminGuard)
export class AgentsController {
  constructor(@Inject(REGISTRY_CLIENT) private readonly registry: RegistryClient) {}

  @Post('register')
  @HttpCode(200)
  async register(@Body() body: unknown): Promise<Record<string, unknown>> {
    return agentJson(await this.registry.registerAgent(registrationFromHttp(body)));
  }

  /** 404 `not_found` when the registry does not know the agent: it should register again. */
  @Post('heartbeat')
  @HttpCode(200)
  async heartbeat(@Body() body: unknown): Promise<Record<string, unknown>> {
    return agentJson(await this.registry.agentHeartbeat(heartbeatFromHttp(body)));
  }
}
