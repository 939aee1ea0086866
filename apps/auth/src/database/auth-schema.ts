import type { DatabaseSchema } from '@iir/persistence';
import { ApiKeyEntity } from '../keys/api-key.entity';
import { UsageRecordEntity } from '../usage/usage-record.entity';
import { CreateKeysAndUsage1764547200000 } from './migrations/1764547200000-create-keys-and-usage.migration';
import { UsageRoutingReceipt1764633600000 } from './migrations/1764633600000-usage-routing-receipt.migration';
import { UsageClientRequestId1764720000000 } from './migrations/1764720000000-usage-client-request-id.migration';
import { AgentKeys1764892800000 } from './migrations/1764892800000-agent-keys.migration';
import { UsageRoutePin1764806400000 } from './migrations/1764806400000-usage-route-pin.migration';

/** New migrations are appended here. */
export const AUTH_SCHEMA: DatabaseSchema = {
  owner: 'auth',
  entities: [ApiKeyEntity, UsageRecordEntity],
  migrations: [
    CreateKeysAndUsage1764547200000,
    UsageRoutingReceipt1764633600000,
    UsageClientRequestId1764720000000,
    UsageRoutePin1764806400000,
    AgentKeys1764892800000,
  ],
};
