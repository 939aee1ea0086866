import { AuthClient, STATS_GROUPS, type StatsGroup } from '@iir/contracts';
import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { AdminGuard } from '../auth/admin.guard';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ApiError } from '../errors/api-error';
import { AUTH_CLIENT } from '../gateway.tokens';

/** `GET /stats?since=&until=&group_by=key,model,target&client_request_id=` (admin): usage from the ledger. */
@Controller('stats')
@UseGuards(ApiKeyGuard, AdminGuard)
export class StatsController {
  constructor(@Inject(AUTH_CLIENT) private readonly auth: AuthClient) {}

  @Get()
  async stats(
    @Query('since') since?: string,
    @Query('until') until?: string,
    @Query('group_by') groupBy?: string,
    @Query('client_request_id') clientRequestId?: string,
  ): Promise<Record<string, unknown>> {
    const groups = groupBy === undefined ? undefined : groupBy.split(',').map((g) => g.trim()).filter(Boolean);
    if (groups?.some((g) => !(STATS_GROUPS as readonly string[]).includes(g))) {
      throw new ApiError('invalid_request_error', `'group_by' must list some of ${STATS_GROUPS.join(', ')}.`, { param: 'group_by' });
    }
    const result = await this.auth.stats({
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      ...(groups ? { groupBy: groups as StatsGroup[] } : {}),
      ...(typeof clientRequestId === 'string' && clientRequestId !== '' ? { clientRequestId } : {}),
    });
    return {
      object: 'stats',
      since: result.since,
      until: result.until,
      group_by: result.groupBy,
      data: result.rows.map((r) => ({
        ...(r.keyId !== undefined ? { key_id: r.keyId } : {}),
        ...(r.model !== undefined ? { model: r.model } : {}),
        ...(r.target !== undefined ? { target: r.target } : {}),
        requests: r.requests,
        errors: r.errors,
        cache_hits: r.cacheHits,
        prompt_tokens: r.promptTokens,
        completion_tokens: r.completionTokens,
        total_tokens: r.totalTokens,
        avg_latency_ms: r.avgLatencyMs,
        avg_ttft_ms: r.avgTtftMs,
      })),
    };
  }
}
