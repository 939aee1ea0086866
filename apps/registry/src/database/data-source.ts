import { openDatabase, type DatabaseSchema, type DatabaseSettings } from '@iir/persistence';
import type { DataSource } from 'typeorm';
import { AgentEntity } from '../agents/agent.entity';
import { HardwareProfileEntity } from '../hardware/hardware-profile.entity';
import { ModelEntity } from '../models/model.entity';
import { CreateModels1732262400000 } from './migrations/1732262400000-create-models.migration';
import { CreateAgents1733000000000 } from './migrations/1733000000000-create-agents.migration';
import { CreateHardwareProfiles1764633600000 } from './migrations/1764633600000-create-hardware-profiles.migration';
import { AddAgentInstanceToken1764720000000 } from './migrations/1764720000000-add-agent-instance-token.migration';
import { AddAgentUrl1764892800000 } from './migrations/1764892800000-add-agent-url.migration';
import { AddModelModalities1764979200000 } from './migrations/1764979200000-add-model-modalities.migration';

export type { DatabaseSettings } from '@iir/persistence';

/** New migrations are appended here. */
export const MIGRATIONS = [CreateModels1732262400000, CreateAgents1733000000000, CreateHardwareProfiles1764633600000, AddAgentInstanceToken1764720000000, AddAgentUrl1764892800000, AddModelModalities1764979200000];
export const ENTITIES = [ModelEntity, AgentEntity, HardwareProfileEntity];
export const REGISTRY_SCHEMA: DatabaseSchema = { owner: 'registry', entities: ENTITIES, migrations: MIGRATIONS };

/** Opens the registry database and brings its schema up to date. */
export function openDataSource(settings: DatabaseSettings): Promise<DataSource> {
  return openDatabase(settings, REGISTRY_SCHEMA);
}
