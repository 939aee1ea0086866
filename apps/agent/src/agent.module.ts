import type { ServiceContext } from '@iir/platform';
import { hostname } from 'node:os';
import { Module, type DynamicModule } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
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
        publicUrl: () => config.AGENT_PUBLIC_URL ?? boundUrl(),
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
    let server: { address(): unknown } | undefined;
    const boundUrl = (): string | undefined => {
      const address = server?.address() as { port?: number } | null | undefined;
      const host = ['0.0.0.0', '::', ''].includes(config.HTTP_HOST) ? hostname() : config.HTTP_HOST;
      return address?.port ? `http://${host.includes(':') ? `[${host}]` : host}:${address.port}` : undefined;
    };
    return {
      module: AgentModule,
      controllers: [AgentApiController],
      providers: [
        { provide: InferenceService, useValue: inference },
        { provide: MODEL_DIRECTORY, useValue: parts.discovery },
        { provide: AgentRuntime, useValue: runtime },
        {
          // The bound port (AGENT_PORT may be 0) is what an HTTP-mode agent announces.
          provide: 'agent.http-server',
          inject: [HttpAdapterHost],
          useFactory: (host: HttpAdapterHost) => {
            server = { address: () => (host.httpAdapter?.getHttpServer() as { address(): unknown } | undefined)?.address() };
            return server;
          },
        },
      ],
    };
  }
}
