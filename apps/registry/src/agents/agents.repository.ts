import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AgentEntity } from './agent.entity';

/** A registration as stored: plain data, no TypeORM class. */
export type StoredAgent = Pick<
  AgentEntity,
  'agentId' | 'models' | 'hardware' | 'maxConcurrency' | 'version' | 'registeredAt' | 'updatedAt' | 'lastSeenAt' | 'instanceTokenHash' | 'url'
>;

/** The `agents` table behind a small API. */
@Injectable()
export class AgentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async all(): Promise<StoredAgent[]> {
    const rows = await this.dataSource.getRepository(AgentEntity).find({ order: { agentId: 'ASC' } });
    return rows.map(toStored);
  }

  /**
   * Inserts the registration, or replaces what an existing row serves; `registered_at` is never
   * overwritten, so the first registration's time stays (also when two replicas race).
   */
  async upsert(agent: StoredAgent): Promise<StoredAgent> {
    const repository = this.dataSource.getRepository(AgentEntity);
    await repository
      .createQueryBuilder()
      .insert()
      .values(Object.assign(new AgentEntity(), agent))
      .orUpdate(['models', 'hardware', 'max_concurrency', 'version', 'updated_at', 'last_seen_at', 'instance_token_hash', 'url'], ['agent_id'])
      .execute();
    return toStored(await repository.findOneByOrFail({ agentId: agent.agentId }));
  }

  async touch(agentId: string, lastSeenAt: string): Promise<void> {
    await this.dataSource.getRepository(AgentEntity).update({ agentId }, { lastSeenAt });
  }
}

function toStored(entity: AgentEntity): StoredAgent {
  return {
    agentId: entity.agentId,
    models: entity.models,
    hardware: entity.hardware,
    maxConcurrency: entity.maxConcurrency,
    version: entity.version,
    registeredAt: entity.registeredAt,
    updatedAt: entity.updatedAt,
    lastSeenAt: entity.lastSeenAt,
    instanceTokenHash: entity.instanceTokenHash ?? null,
    url: entity.url ?? null,
  };
}
