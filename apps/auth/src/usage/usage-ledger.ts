import type { UsageRecord } from '@iir/contracts';
import { secondsSince } from '@iir/platform';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ledgerMetrics } from '../metrics/auth-metrics';
import { UsageRecordEntity } from './usage-record.entity';

/** Rows per INSERT: 23 parameters each, well under SQLite's 32 766 and Postgres's 65 535. */
const ROWS_PER_STATEMENT = 500;

interface Waiting {
  records: UsageRecord[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Writes usage records; a record whose request id is already there is skipped, so redelivery is
 * harmless. Batches that arrive while a write is running wait and then go together, in one
 * statement per 500 rows: a database that slows down gets fewer, bigger commits instead of a queue.
 */
@Injectable()
export class UsageLedger {
  private running = false;
  private waiting: Waiting[] = [];
  private readonly metrics = ledgerMetrics();

  constructor(private readonly dataSource: DataSource) {}

  /** Rejects when the database did not take the batch (the stream redelivers it; rows already written are skipped). */
  write(records: UsageRecord[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ records, resolve, reject });
      if (!this.running) this.drain().catch(() => undefined); // drain settles every caller itself
    });
  }

  /** Writes what waits, in arrival order, until nothing does; never rejects (each caller hears its own outcome). */
  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting;
        this.waiting = [];
        try {
          await this.writeNow(group.length === 1 ? (group[0] as Waiting).records : group.flatMap((w) => w.records));
          for (const w of group) w.resolve();
        } catch (error) {
          for (const w of group) w.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async writeNow(records: UsageRecord[]): Promise<void> {
    const valid = records.filter(isUsageRecord);
    // Counted, not retried: redelivering what is not a record would only fail again.
    if (valid.length < records.length) this.metrics.recordsRejected.inc(records.length - valid.length);
    const rows = dedupe(valid).map(toRow);
    if (rows.length === 0) return;
    const start = process.hrtime.bigint();
    this.metrics.batchSize.observe(rows.length);
    try {
      const postgres = this.dataSource.options?.type === 'postgres';
      // No transaction on purpose: each statement is atomic and skips request ids already written,
      // so a batch that fails halfway is simply redelivered and completed. (SQLite has one shared
      // connection: a BEGIN held here would also swallow the key writes made meanwhile.)
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
        const { sql, parameters } = insertStatement(rows.slice(i, i + ROWS_PER_STATEMENT), postgres);
        await this.dataSource.query(sql, parameters);
      }
    } catch (error) {
      this.metrics.writeFailures.inc();
      throw error;
    }
    this.metrics.writeDuration.observe(secondsSince(start));
    this.metrics.recordsWritten.inc(rows.length);
  }
}

/** The ledger's columns, in the order of `insertStatement`'s values (see the entity and its migrations). */
const COLUMNS: Array<[column: string, field: keyof UsageRecordEntity]> = [
  ['request_id', 'requestId'], ['key_id', 'keyId'], ['priority', 'priority'], ['model', 'model'], ['target', 'target'],
  ['provider', 'provider'], ['prompt_tokens', 'promptTokens'], ['completion_tokens', 'completionTokens'],
  ['total_tokens', 'totalTokens'], ['latency_ms', 'latencyMs'], ['ttft_ms', 'ttftMs'], ['status', 'status'],
  ['error_code', 'errorCode'], ['cache_hit', 'cacheHit'], ['stream', 'stream'], ['policy', 'policy'],
  ['route_label', 'routeLabel'], ['route_confidence', 'routeConfidence'], ['route_complexity', 'routeComplexity'],
  ['route_tier', 'routeTier'], ['created_at', 'createdAt'], ['client_request_id', 'clientRequestId'], ['route_pin', 'routePin'],
];

const COLUMN_LIST = COLUMNS.map(([c]) => `"${c}"`).join(', ');
const SQLITE_TUPLE = `(${COLUMNS.map(() => '?').join(', ')})`;

/**
 * One multi-row INSERT that skips rows whose request id is already there. Written by hand: TypeORM's
 * query builder spends more CPU on a batch's parameters than the database spends on its rows.
 */
function insertStatement(rows: UsageRecordEntity[], postgres: boolean): { sql: string; parameters: unknown[] } {
  const parameters: unknown[] = [];
  const tuples: string[] = [];
  for (const row of rows) {
    const base = parameters.length;
    for (const [, field] of COLUMNS) {
      const value = row[field];
      parameters.push(typeof value === 'boolean' && !postgres ? (value ? 1 : 0) : (value ?? null));
    }
    tuples.push(postgres ? `(${COLUMNS.map((_, k) => `$${base + k + 1}`).join(', ')})` : SQLITE_TUPLE);
  }
  const sql = postgres
    ? `INSERT INTO "usage_records" (${COLUMN_LIST}) VALUES ${tuples.join(', ')} ON CONFLICT ("request_id") DO NOTHING`
    : `INSERT OR IGNORE INTO "usage_records" (${COLUMN_LIST}) VALUES ${tuples.join(', ')}`;
  return { sql, parameters };
}

function dedupe(records: UsageRecord[]): UsageRecord[] {
  const byId = new Map<string, UsageRecord>();
  for (const r of records) byId.set(r.requestId, r);
  return [...byId.values()];
}

function toRow(r: UsageRecord): UsageRecordEntity {
  // One literal (the entity class has fields only): the insert reads its fields, nothing else.
  return {
    requestId: r.requestId.slice(0, 128),
    clientRequestId: typeof r.clientRequestId === 'string' && r.clientRequestId.length > 0 ? r.clientRequestId.slice(0, 128) : null,
    keyId: typeof r.keyId === 'string' ? r.keyId.slice(0, 36) : null,
    priority: Math.trunc(r.priority ?? 0),
    model: r.model.slice(0, 200),
    target: r.target?.slice(0, 200) ?? null,
    provider: r.provider?.slice(0, 64) ?? null,
    promptTokens: Math.trunc(r.promptTokens),
    completionTokens: Math.trunc(r.completionTokens),
    totalTokens: Math.trunc(r.totalTokens),
    latencyMs: r.latencyMs,
    ttftMs: typeof r.ttftMs === 'number' ? r.ttftMs : null,
    status: Math.trunc(r.status),
    errorCode: r.errorCode?.slice(0, 64) ?? null,
    cacheHit: r.cacheHit === true,
    stream: r.stream === true,
    policy: r.policy?.slice(0, 32) ?? null,
    routeLabel: r.routeLabel?.slice(0, 32) ?? null,
    routeConfidence: typeof r.routeConfidence === 'number' ? r.routeConfidence : null,
    routeComplexity: r.routeComplexity?.slice(0, 16) ?? null,
    routeTier: r.routeTier?.slice(0, 64) ?? null,
    routePin: r.routePin?.slice(0, 16) ?? null,
    createdAt: r.createdAt,
  };
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
