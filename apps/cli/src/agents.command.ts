import { Command } from 'commander';
import { call, type CliSettings } from './gateway-api';

/** `iir agents token create <agent-id>`: an agent's credential, over the gateway's `/api/v1/apikeys`. */
export function agentsCommand(settings: () => CliSettings, out: (line: string) => void): Command {
  const agents = new Command('agents').description('manage agent credentials (needs an admin key)');
  const token = new Command('token').description("agents' credentials: an agent key speaks for one agent id only");
  token
    .command('create')
    .description('issue the credential an agent registers with (AGENT_CREDENTIAL); printed once and never again')
    .argument('<agent-id>', 'the agent id it may register and heartbeat (AGENT_ID)')
    .option('-d, --description <text>', 'what the agent is')
    .option('--json', 'print the answer as JSON')
    .action(async (agentId: string, o: { description?: string; json?: boolean }) => {
      const key = await call<{ id: string; api_key?: string }>(settings(), 'POST', '/api/v1/apikeys', {
        role: 'agent',
        agent_id: agentId,
        description: o.description ?? `agent ${agentId}`,
      });
      if (o.json) return out(JSON.stringify(key));
      out(`id:         ${key.id}`);
      out(`credential: ${key.api_key ?? ''}`);
      out(`Start the agent with AGENT_ID=${agentId} AGENT_CREDENTIAL=<credential>. IIR keeps only its hash; revoke it with 'iir keys revoke ${key.id}'.`);
    });
  agents.addCommand(token);
  return agents;
}
