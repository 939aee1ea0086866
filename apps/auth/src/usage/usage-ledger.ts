import type { UsageRecord } from '@iir/contracts';
import { secondsSince } from '@iir/platform';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ledgerMetrics } from '../metrics/auth-metrics';
import { UsageRecordEntity } from './usage-record.entity';

const ROWS_PER_STATEMENT = 50;

/** Writes usage records; a record whose request id is already there is skipped, so redelivery is harmless. */
@Injectable()
export class UsageLedger {
  /** Writes run one after another: SQLite's single connection cannot hold two transactions at once. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly metrics = ledgerMetrics();

  constructor(private readonly dataSource: DataSource) {}

  /** All or nothing: the batch is one transaction, so a failure leaves no half-written batch. */
  write(records: UsageRecord[]): Promise<void> {
    const next = this.queue.then(() => this.writeNow(records));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async writeNow(records: UsageRecord[]): Promise<void> {
    const rows = dedupe(records.filter(isUsageRecord)).map(toRow);
    if (rows.length === 0) return;
    const start = process.hrtime.bigint();
    this.metrics.batchSize.observe(rows.length);
    try {
      await this.dataSource.transaction(async (manager) => {
        for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
          await manager
            .createQueryBuilder()
            .insert()
            .into(UsageRecordEntity)
            .values(rows.slice(i, i + ROWS_PER_STATEMENT))
            .orIgnore()
            .execute();
        }
      });
    } catch (error) {
      this.metrics.writeFailures.inc();
      throw error;
    }
    this.metrics.writeDuration.observe(secondsSince(start));
    this.metrics.recordsWritten.inc(rows.length);
  }
}

function dedupe(records: UsageRecord[]): UsageRecord[] {
  const byId = new Map<string, UsageRecord>();
  for (const r of records) byId.set(r.requestId, r);
  return [...byId.values()];
}

function toRow(r: UsageRecord): UsageRecordEntity {
  const row = new UsageRecordEntity();
  Object.assign(row, {
    requestId: r.requestId.slice(0, 128),
    keyId: r.keyId,
    priority: Math.trunc(r.priority),
    model: r.model.slice(0, 200),
    target: r.target?.slice(0, 200) ?? null,
    provider: r.provider?.slice(0, 64) ?? null,
    promptTokens: Math.trunc(r.promptTokens),
    completionTokens: Math.trunc(r.completionTokens),
    totalTokens: Math.trunc(r.totalTokens),
    latencyMs: r.latencyMs,
    ttftMs: r.ttftMs,
    status: Math.trunc(r.status),
    errorCode: r.errorCode?.slice(0, 64) ?? null,
    cacheHit: r.cacheHit,
    stream: r.stream,
    policy: r.policy?.slice(0, 32) ?? null,
    routeLabel: r.routeLabel?.slice(0, 32) ?? null,
    routeConfidence: typeof r.routeConfidence === 'number' ? r.routeConfidence : null,
    routeComplexity: r.routeComplexity?.slice(0, 16) ?? null,
    routeTier: r.routeTier?.slice(0, 64) ?? null,
    createdAt: r.createdAt,
  });
  return row;
}

/** A record from the stream is data from another process: one that is not a record is dropped, not retried forever. */
function isUsageRecord(value: unknown): value is UsageRecord {
  const r = value as Partial<UsageRecord> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.requestId === 'string' &&
    r.requestId.length > 0 &&
    typeof r.model === 'string' &&
    typeof r.status === 'number' &&
    typeof r.createdAt === 'string' &&
    typeof r.promptTokens === 'number' &&
    typeof r.completionTokens === 'number' &&
    typeof r.totalTokens === 'number' &&
    typeof r.latencyMs === 'number'
  );
}
