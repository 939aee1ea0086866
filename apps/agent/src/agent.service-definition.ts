import { env, type ServiceDefinition } from '@iir/platform';
import { AgentModule } from './agent.module';

const configShape = {
  AGENT_PORT: env.port(5000),
  HTTP_HOST: env.string('0.0.0.0'),
};

/** The agent service: its settings and root module. */
export const agentService: ServiceDefinition<typeof configShape> = {
  name: 'agent',
  configShape,
  http: (config) => ({ port: config.AGENT_PORT, host: config.HTTP_HOST }),
  module: () => AgentModule.register(),
};
