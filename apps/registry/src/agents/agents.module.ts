import { Module, type DynamicModule } from '@nestjs/common';
import { AGENT_SETTINGS, type AgentSettings } from './agent-settings';
import { AgentCredentials } from './agent-credentials';
import { AgentsController } from './agents.controller';
import { AgentsRepository } from './agents.repository';
import { AgentsService } from './agents.service';

/** Agents: registrations in the table, liveness in memory, the bus handlers. */
@Module({})
export class AgentsModule {
  static register(settings: AgentSettings): DynamicModule {
    return {
      module: AgentsModule,
      // Global: hardware status lists the agents' hardware next to the registry host's.
      global: true,
      exports: [AgentsService],
      controllers: [AgentsController],
      providers: [{ provide: AGENT_SETTINGS, useValue: settings }, AgentsRepository, AgentsService, AgentCredentials],
    };
  }
}
