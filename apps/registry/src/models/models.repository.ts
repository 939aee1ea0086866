import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ModelEntity, type StoredModel } from './model.entity';

/** The `models` table behind a small API, so the service and seeder never build queries. */
@Injectable()
export class ModelsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async all(): Promise<StoredModel[]> {
    const rows = await this.dataSource.getRepository(ModelEntity).find({ order: { name: 'ASC' } });
    return rows.map(toStored);
  }

  /** Inserts and updates in one transaction: a failed seed leaves the table as it was. */
  async write(changes: { inserts: readonly StoredModel[]; updates: readonly StoredModel[] }): Promise<void> {
    if (changes.inserts.length === 0 && changes.updates.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(ModelEntity);
      if (changes.inserts.length > 0) {
        // Another replica seeding at the same moment may have inserted the row first; theirs is the same.
        await repository.createQueryBuilder().insert().values(changes.inserts.map(toEntity)).orIgnore().execute();
      }
      for (const row of changes.updates) {
        const { name, ...fields } = toEntity(row);
        await repository.update({ name }, fields);
      }
    });
  }

  /** Inserts one row; false when a row of that name is already there (another replica won the race). */
  async insert(row: StoredModel): Promise<boolean> {
    const repository = this.dataSource.getRepository(ModelEntity);
    try {
      await repository.insert(toEntity(row));
      return true;
    } catch (error) {
      if ((await repository.countBy({ name: row.name })) > 0) return false;
      throw error;
    }
  }

  async update(row: StoredModel): Promise<void> {
    const { name, ...fields } = toEntity(row);
    await this.dataSource.getRepository(ModelEntity).update({ name }, fields);
  }

  async remove(name: string): Promise<void> {
    await this.dataSource.getRepository(ModelEntity).delete({ name });
  }
}

function toEntity(row: StoredModel): ModelEntity {
  return Object.assign(new ModelEntity(), row);
}

// Plain objects out: the catalogue freezes them and the bus serializes them.
function toStored(entity: ModelEntity): StoredModel {
  return {
    name: entity.name,
    provider: entity.provider,
    kind: entity.kind,
    protocol: entity.protocol,
    baseUrl: entity.baseUrl,
    upstreamModel: entity.upstreamModel,
    contextWindow: entity.contextWindow,
    pricing: entity.pricing,
    modalities: entity.modalities ?? null,
    aliases: entity.aliases,
    fallbacks: entity.fallbacks,
    enabled: entity.enabled,
    managedBy: entity.managedBy,
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
  };
}
