import type { Modalities, ModelKind, ModelRecord, Pricing, Protocol } from '@iir/contracts';
import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Who owns a row. The seeder keeps `seed` rows in step with `config/models.yaml`; it never touches
 * `operator` rows, so a model an operator changed stays changed.
 */
export type ManagedBy = 'seed' | 'operator';

/** A registry row: the contract's record plus who manages it. */
export interface StoredModel extends ModelRecord {
  managedBy: ManagedBy;
}

/** The `models` table. Portable types only: it runs on SQLite and Postgres. */
@Entity({ name: 'models' })
@Check('CHK_models_kind', `"kind" IN ('hosted', 'vllm', 'llm-d', 'agent')`)
@Check('CHK_models_protocol', `"protocol" IN ('openai', 'anthropic', 'agent')`)
@Check('CHK_models_managed_by', `"managed_by" IN ('seed', 'operator')`)
export class ModelEntity implements StoredModel {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 64 })
  provider!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: ModelKind;

  @Column({ type: 'varchar', length: 16 })
  protocol!: Protocol;

  @Column({ name: 'base_url', type: 'varchar', length: 500 })
  baseUrl!: string;

  @Column({ name: 'upstream_model', type: 'varchar', length: 200 })
  upstreamModel!: string;

  @Column({ name: 'context_window', type: 'integer', nullable: true })
  contextWindow!: number | null;

  @Column({ type: 'simple-json', nullable: true })
  pricing!: Pricing | null;

  @Column({ type: 'simple-json', nullable: true })
  modalities!: Modalities | null;

  @Column({ type: 'simple-json' })
  aliases!: string[];

  @Column({ type: 'simple-json' })
  fallbacks!: string[];

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ name: 'managed_by', type: 'varchar', length: 16, default: 'operator' })
  managedBy!: ManagedBy;

  /** ISO-8601 strings: identical on both databases and already the wire format. */
  @Column({ name: 'created_at', type: 'varchar', length: 32 })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 32 })
  updatedAt!: string;
}
