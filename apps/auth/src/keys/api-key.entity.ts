import type { ApiKeyInfo, KeyRole } from '@iir/contracts';
import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** The `api_keys` table: everything about a key except its secret (only the SHA-256 is kept). */
@Entity({ name: 'api_keys' })
@Check('CHK_api_keys_role', `"role" IN ('user', 'admin', 'agent')`)
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'key_hash', type: 'varchar', length: 64, unique: true })
  keyHash!: string;

  @Column({ name: 'display_prefix', type: 'varchar', length: 16 })
  displayPrefix!: string;

  @Column({ type: 'varchar', length: 200 })
  description!: string;

  @Column({ type: 'varchar', length: 8 })
  role!: KeyRole;

  @Column({ type: 'integer' })
  priority!: number;

  @Column({ type: 'integer', nullable: true })
  rpm!: number | null;

  @Column({ type: 'integer', nullable: true })
  tpm!: number | null;

  @Column({ name: 'allowed_models', type: 'simple-json' })
  allowedModels!: string[];

  @Column({ name: 'expires_at', type: 'varchar', length: 32, nullable: true })
  expiresAt!: string | null;

  @Column({ name: 'created_at', type: 'varchar', length: 32 })
  createdAt!: string;

  @Column({ name: 'revoked_at', type: 'varchar', length: 32, nullable: true })
  revokedAt!: string | null;

  /** `agent` keys: the agent id the key may register and heartbeat. */
  @Column({ name: 'agent_id', type: 'varchar', length: 128, nullable: true })
  agentId!: string | null;
}

export function toKeyInfo(row: ApiKeyEntity): ApiKeyInfo {
  return {
    id: row.id,
    displayPrefix: row.displayPrefix,
    description: row.description,
    role: row.role,
    priority: row.priority,
    rpm: row.rpm,
    tpm: row.tpm,
    allowedModels: row.allowedModels,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
    ...(row.agentId ? { agentId: row.agentId } : {}),
  };
}
