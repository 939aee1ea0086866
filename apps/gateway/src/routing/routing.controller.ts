import type { RouterClient, RoutingStatusResponse } from '@iir/contracts';
import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { AdminGuard } from '../auth/admin.guard';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ROUTER_CLIENT } from '../gateway.tokens';

/**
 * `GET /routing` (admin): the routing policies, per-target health (circuit state, consecutive
 * failures, cooldown) and the agents' freshness and load, as the router replica that answers sees them.
 */
@Controller('routing')
@UseGuards(ApiKeyGuard, AdminGuard)
export class RoutingController {
  constructor(@Inject(ROUTER_CLIENT) private readonly router: RouterClient) {}

  @Get()
  async status(): Promise<Record<string, unknown>> {
    return toWire(await this.router.status());
  }
}

/** The admin API speaks snake_case, like the rest of the HTTP surface. */
function toWire(s: RoutingStatusResponse): Record<string, unknown> {
  return {
    object: 'routing.status',
    config: { path: s.config.path, loaded_at: s.config.loadedAt, error: s.config.error },
    cooldown: { failures: s.cooldown.failures, ms: s.cooldown.ms },
    policies: s.policies.map((p) => ({
      model: p.model,
      policy: p.policy,
      ...(p.targets ? { targets: p.targets } : {}),
      ...(p.offloadTo ? { offload_to: p.offloadTo } : {}),
      ...(p.queueThreshold !== undefined ? { queue_threshold: p.queueThreshold } : {}),
      ...(p.minLocalPriority !== undefined ? { min_local_priority: p.minLocalPriority } : {}),
    })),
    health: s.health.map((h) => ({
      model: h.model,
      base_url: h.baseUrl,
      state: h.state,
      consecutive_failures: h.consecutiveFailures,
      cooldown_until: h.cooldownUntil,
      last_outcome: h.lastOutcome,
      last_report_at: h.lastReportAt,
    })),
    agents: s.agents.map((a) => ({
      agent_id: a.agentId,
      models: a.models,
      freshness: a.freshness,
      queue_length: a.queueLength,
      in_flight: a.inFlight,
      max_concurrency: a.maxConcurrency,
      last_heartbeat_at: a.lastHeartbeatAt,
      loaded_models: a.loadedModels ?? [],
      state: a.state ?? {},
      paused: a.pausedBecause != null,
      paused_because: a.pausedBecause ?? null,
    })),
  };
}
