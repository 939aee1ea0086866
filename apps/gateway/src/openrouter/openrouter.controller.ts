import { AuthClient, type UsageRecord } from '@iir/contracts';
import { Controller, Get, Inject, Query, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { principalOf } from '../auth/principal';
import { ApiError } from '../errors/api-error';
import { AUTH_CLIENT } from '../gateway.tokens';
import { ModelsCatalog } from '../models/models-catalog.service';

const DAY_MS = 86_400_000;
const EPOCH = '1970-01-01T00:00:00.000Z';

/**
 * OpenRouter's account routes, for clients written against it: `GET /api/v1/generation?id=` (one
 * request's stats from the ledger, by the `x-request-id` IIR answered with) and `GET /api/v1/key`
 * (the calling key's limits and usage). A key reads only its own generations; an admin key any;
 * static keys and anonymous callers none (they have no key id of their own in the ledger).
 */
@Controller('api/v1')
@UseGuards(ApiKeyGuard)
export class OpenRouterController {
  constructor(
    @Inject(AUTH_CLIENT) private readonly auth: AuthClient,
    private readonly models: ModelsCatalog,
  ) {}

  @Get('generation')
  async generation(@Query('id') id: string | undefined, @Req() request: FastifyRequest): Promise<{ data: Record<string, unknown> }> {
    if (typeof id !== 'string' || id.trim() === '') throw new ApiError('invalid_request_error', "Missing required query parameter: 'id'.", { param: 'id' });
    const principal = principalOf(request);
    // Static keys and anonymous callers share one `null` key id in the ledger: none may read the others' records.
    if (principal.keyId === null && principal.role !== 'admin') {
      throw new ApiError('permission_denied', 'Generation records are per issued key: this key has none of its own (static and anonymous calls are recorded without one).');
    }
    const record = await this.auth.usage({ requestId: id.trim(), keyId: principal.keyId, ...(principal.role === 'admin' ? { any: true } : {}) });
    return { data: { ...generation(record), total_cost: await this.cost(record) } };
  }

  @Get('key')
  async key(@Req() request: FastifyRequest): Promise<{ data: Record<string, unknown> }> {
    const principal = principalOf(request);
    const base = {
      id: principal.keyId,
      source: principal.source,
      role: principal.role,
      priority: principal.priority,
      allowed_models: principal.allowedModels,
      rate_limit: { requests: principal.rpm, tokens: principal.tpm, interval: '1m' },
      is_free_tier: false,
      limit: null,
    };
    // Usage is per key id: the bootstrap admin key, static keys and anonymous calls have none of their own.
    if (principal.keyId === null) return { data: { ...base, usage: null } };
    const now = Date.now();
    const [day, all] = await Promise.all([
      // Not grouped: one row of the key's totals over every model.
      this.auth.stats({ keyId: principal.keyId, since: new Date(now - DAY_MS).toISOString(), groupBy: [] }),
      this.auth.stats({ keyId: principal.keyId, since: EPOCH, groupBy: [] }),
    ]);
    const totals = (rows: typeof day.rows) => {
      const r = rows[0];
      return { requests: r?.requests ?? 0, prompt_tokens: r?.promptTokens ?? 0, completion_tokens: r?.completionTokens ?? 0, total_tokens: r?.totalTokens ?? 0 };
    };
    return { data: { ...base, usage: { last_24h: totals(day.rows), all_time: totals(all.rows) } } };
  }

  /** USD from the answering model's registry prices (0 for local models and cache hits). */
  private async cost(record: UsageRecord): Promise<number> {
    if (!record.target || record.cacheHit) return 0;
    try {
      const pricing = (await this.models.get(record.target)).pricing;
      if (!pricing) return 0;
      return round(record.promptTokens * Number(pricing.prompt) + record.completionTokens * Number(pricing.completion));
    } catch {
      return 0;
    }
  }
}

function generation(r: UsageRecord): Record<string, unknown> {
  return {
    id: r.requestId,
    client_request_id: r.clientRequestId ?? null,
    model: r.model,
    target: r.target,
    provider_name: r.provider,
    created_at: r.createdAt,
    streamed: r.stream,
    cache_hit: r.cacheHit,
    status: r.status,
    error_code: r.errorCode,
    tokens_prompt: r.promptTokens,
    tokens_completion: r.completionTokens,
    total_tokens: r.totalTokens,
    latency: r.latencyMs,
    ttft_ms: r.ttftMs,
    policy: r.policy ?? null,
    route_tier: r.routeTier ?? null,
    route_pin: r.routePin ?? null,
  };
}

function round(usd: number): number {
  return Math.round(usd * 1e10) / 1e10;
}
