import { BusError, STATS_GROUPS, type StatsGroup, type StatsRequest, type StatsResponse, type StatsRow, type UsageGetRequest, type UsageRecord } from '@iir/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { UsageRecordEntity } from './usage-record.entity';

const DAY_MS = 86_400_000;
const COLUMN: Record<StatsGroup, string> = { key: 'key_id', model: 'model', target: 'target' };
const FIELD: Record<StatsGroup, 'keyId' | 'model' | 'target'> = { key: 'keyId', model: 'model', target: 'target' };

/** Usage aggregated over a time window, grouped by any of key, model and target; and one request's record. */
@Injectable()
export class StatsService {
  constructor(private readonly dataSource: DataSource) {}

  /** One request's record, if it is within the caller's scope: another key's is as unknown as a missing one. */
  async get(request: UsageGetRequest | null): Promise<UsageRecord> {
    const id = typeof request?.requestId === 'string' ? request.requestId.slice(0, 128) : '';
    const row = id ? await this.dataSource.getRepository(UsageRecordEntity).findOneBy({ requestId: id }) : null;
    const scoped = row !== null && (request?.any === true || (row.keyId ?? null) === (request?.keyId ?? null));
    if (!row || !scoped) throw new BusError('not_found', `No generation '${id}' is recorded for this key (records arrive within a second of the answer).`, { param: 'id' });
    return { ...row, cacheHit: Boolean(row.cacheHit), stream: Boolean(row.stream) } as UsageRecord;
  }

  async stats(request: StatsRequest | null): Promise<StatsResponse> {
    const now = Date.now();
    const until = instant(request?.until, now, 'until');
    const since = instant(request?.since, Date.parse(until) - DAY_MS, 'since');
    if (since >= until) throw new BusError('invalid_request_error', "'since' must be before 'until'.", { param: 'since' });
    const groupBy = groups(request?.groupBy);
    const qb = this.dataSource
      .getRepository(UsageRecordEntity)
      .createQueryBuilder('u')
      .select('COUNT(*)', 'requests')
      .addSelect('SUM(CASE WHEN u.status >= 400 THEN 1 ELSE 0 END)', 'errors')
      .addSelect('SUM(CASE WHEN u.cache_hit THEN 1 ELSE 0 END)', 'cache_hits')
      .addSelect('SUM(u.prompt_tokens)', 'prompt_tokens')
      .addSelect('SUM(u.completion_tokens)', 'completion_tokens')
      .addSelect('SUM(u.total_tokens)', 'total_tokens')
      .addSelect('AVG(u.latency_ms)', 'avg_latency_ms')
      .addSelect('AVG(u.ttft_ms)', 'avg_ttft_ms')
      .where('u.created_at >= :since AND u.created_at < :until', { since, until });
    if (typeof request?.clientRequestId === 'string' && request.clientRequestId !== '') {
      qb.andWhere('u.client_request_id = :clientRequestId', { clientRequestId: request.clientRequestId.slice(0, 128) });
    }
    if (typeof request?.keyId === 'string' && request.keyId !== '') qb.andWhere('u.key_id = :keyId', { keyId: request.keyId.slice(0, 36) });
    for (const g of groupBy) qb.addSelect(`u.${COLUMN[g]}`, `g_${g}`).addGroupBy(`u.${COLUMN[g]}`);
    qb.orderBy('requests', 'DESC');
    const raw = await qb.getRawMany<Record<string, string | number | null>>();
    const rows = raw.map((r): StatsRow => {
      const row: StatsRow = {
        requests: num(r['requests']),
        errors: num(r['errors']),
        cacheHits: num(r['cache_hits']),
        promptTokens: num(r['prompt_tokens']),
        completionTokens: num(r['completion_tokens']),
        totalTokens: num(r['total_tokens']),
        avgLatencyMs: round(num(r['avg_latency_ms'])),
        avgTtftMs: r['avg_ttft_ms'] === null || r['avg_ttft_ms'] === undefined ? null : round(num(r['avg_ttft_ms'])),
      };
      for (const g of groupBy) {
        const value = r[`g_${g}`];
        (row as unknown as Record<string, unknown>)[FIELD[g]] = value === undefined ? null : value;
      }
      return row;
    });
    // An empty window still answers one zero row when nothing is grouped.
    return { since, until, groupBy, rows: rows.filter((r) => r.requests > 0 || groupBy.length === 0) };
  }
}

function instant(value: string | undefined, fallback: number, param: string): string {
  if (value === undefined || value === '') return new Date(fallback).toISOString();
  // Seconds since the epoch are accepted too (what `date +%s` prints).
  const ms = /^\d{9,11}$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (Number.isNaN(ms)) throw new BusError('invalid_request_error', `'${param}' must be an ISO-8601 date-time or Unix seconds.`, { param });
  return new Date(ms).toISOString();
}

function groups(value: StatsGroup[] | undefined): StatsGroup[] {
  const list = value ?? ['key', 'model'];
  for (const g of list) {
    if (!(STATS_GROUPS as readonly string[]).includes(g)) {
      throw new BusError('invalid_request_error', `'group_by' must list some of ${STATS_GROUPS.join(', ')}.`, { param: 'group_by' });
    }
  }
  return [...new Set(list)];
}

function num(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(v ?? 0);
  return Number.isFinite(n) ? n : 0;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
