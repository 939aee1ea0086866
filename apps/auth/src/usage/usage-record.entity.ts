import type { UsageRecord } from '@iir/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The `usage_records` ledger: one row per finished request, keyed by its request id. */
@Entity({ name: 'usage_records' })
@Index('IDX_usage_created_at', ['createdAt'])
@Index('IDX_usage_key_created', ['keyId', 'createdAt'])
@Index('IDX_usage_client_request_id', ['clientRequestId'])
export class UsageRecordEntity implements UsageRecord {
  @PrimaryColumn({ name: 'request_id', type: 'varchar', length: 128 })
  requestId!: string;

  @Column({ name: 'client_request_id', type: 'varchar', length: 128, nullable: true })
  clientRequestId!: string | null;

  @Column({ name: 'key_id', type: 'varchar', length: 36, nullable: true })
  keyId!: string | null;

  @Column({ type: 'integer' })
  priority!: number;

  @Column({ type: 'varchar', length: 200 })
  model!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  target!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  provider!: string | null;

  @Column({ name: 'prompt_tokens', type: 'integer' })
  promptTokens!: number;

  @Column({ name: 'completion_tokens', type: 'integer' })
  completionTokens!: number;

  @Column({ name: 'total_tokens', type: 'integer' })
  totalTokens!: number;

  @Column({ name: 'latency_ms', type: 'real' })
  latencyMs!: number;

  @Column({ name: 'ttft_ms', type: 'real', nullable: true })
  ttftMs!: number | null;

  @Column({ type: 'integer' })
  status!: number;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode!: string | null;

  @Column({ name: 'cache_hit', type: 'boolean', default: false })
  cacheHit!: boolean;

  @Column({ type: 'boolean', default: false })
  stream!: boolean;

  @Column({ type: 'varchar', length: 32, nullable: true })
  policy!: string | null;

  @Column({ name: 'route_label', type: 'varchar', length: 32, nullable: true })
  routeLabel!: string | null;

  @Column({ name: 'route_confidence', type: 'real', nullable: true })
  routeConfidence!: number | null;

  @Column({ name: 'route_complexity', type: 'varchar', length: 16, nullable: true })
  routeComplexity!: string | null;

  @Column({ name: 'route_tier', type: 'varchar', length: 64, nullable: true })
  routeTier!: string | null;

  @Column({ name: 'route_pin', type: 'varchar', length: 16, nullable: true })
  routePin!: string | null;

  @Column({ name: 'created_at', type: 'varchar', length: 32 })
  createdAt!: string;
}
