import type { ServiceContext } from '@iir/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { AgentApiController } from './api/agent-api.controller';
import type { AgentConfig } from './agent.config';
import { agentMetrics } from './agent-metrics';
import { AgentRuntime } from './agent-runtime';
import { MODEL_DIRECTORY } from './agent.tokens';
import { composeAgent } from './agent.composition';
import { InferenceService } from './serving/inference.service';

@Module({})
export class AgentModule {
  static register(context: ServiceContext<AgentConfig>): DynamicModule {
    const { config, bus, logger, info } = context;
    const metrics = agentMetrics();
    const parts = composeAgent(config, logger);
    const inference = new InferenceService(parts.discovery, parts.scheduler, metrics);
    const runtime = new AgentRuntime(
      {
        agentId: config.AGENT_ID,
        version: info.version,
        heartbeatMs: config.AGENT_HEARTBEAT_MS,
        ...(config.AGENT_CREDENTIAL ? { credential: config.AGENT_CREDENTIAL } : {}),
        ...(config.ROUTER_URL ? { routerUrl: config.ROUTER_URL } : {}),
        ...(config.AGENT_PUBLIC_URL ? { publicUrl: config.AGENT_PUBLIC_URL } : {}),
        // Over NATS when it is configured (or in the one-process launcher's bus); HTTP only for an agent on its own without NATS.
        transport: config.NATS_URL || !config.ROUTER_URL ? 'bus' : 'http',
      },
      bus,
      parts.backends,
      parts.discovery,
      inference,
      parts.scheduler,
      parts.probe,
      metrics,
      logger,
    );
    return {
      module: AgentModule,
      controllers: [AgentApiController],
      providers: [
        { provide: InferenceService, useValue: inference },
        { provide: MODEL_DIRECTORY, useValue: parts.discovery },
        { provide: AgentRuntime, useValue: runtime },
      ],
    };
  }
}
