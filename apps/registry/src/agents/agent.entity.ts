import type { AgentHardware } from '@iir/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The `agents` table: what an agent registered (it survives a registry restart, so a heartbeat
 * after one is still recognised). The live fields of heartbeats stay in memory.
 */
@Entity({ name: 'agents' })
export class AgentEntity {
  @PrimaryColumn({ name: 'agent_id', type: 'varchar', length: 128 })
  agentId!: string;

  /** Registry model names it serves. */
  @Column({ type: 'simple-json' })
  models!: string[];

  @Column({ type: 'simple-json' })
  hardware!: AgentHardware;

  @Column({ name: 'max_concurrency', type: 'integer' })
  maxConcurrency!: number;

  @Column({ type: 'varchar', length: 64 })
  version!: string;

  /** ISO-8601, set by the first registration and kept by every later one. */
  @Column({ name: 'registered_at', type: 'varchar', length: 32 })
  registeredAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 32 })
  updatedAt!: string;

  /** The last sign of life, written at registration and at most every minute after. */
  @Column({ name: 'last_seen_at', type: 'varchar', length: 32, nullable: true })
  lastSeenAt!: string | null;

  /** Hex SHA-256 of the agent's instance token (never the token); null when it sent none. */
  @Column({ name: 'instance_token_hash', type: 'varchar', length: 64, nullable: true })
  instanceTokenHash!: string | null;

  /** HTTP-mode agents: where the gateway reaches them. */
  @Column({ type: 'varchar', length: 512, nullable: true })
  url!: string | null;
}
