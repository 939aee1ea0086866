import type { ServiceDefinition } from '@iir/platform';
import { agentConfigShape } from './agent.config';
import { AgentModule } from './agent.module';

/** The agent service: its settings and root module. */
export const agentService: ServiceDefinition<typeof agentConfigShape> = {
  name: 'agent',
  configShape: agentConfigShape,
  http: (config) => ({ port: config.AGENT_PORT, host: config.HTTP_HOST }),
  module: (context) => AgentModule.register(context),
};
