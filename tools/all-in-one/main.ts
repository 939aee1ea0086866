/**
 * `npm start`: every IIR service in one Node process, on embedded defaults (in-process bus when
 * NATS_URL is unset, SQLite under ./var, in-memory cache when REDIS_URL is unset).
 *
 * This launcher sits outside `apps/` on purpose: apps never import apps, and this is the one place
 * that composes them. Each service keeps its own port, config and Nest application.
 */
import 'reflect-metadata';
import { commonConfigShape, env, exitWith, GracefulShutdown, loadConfig, startService, type RunningService, type ServiceDefinition } from '@iir/platform';
import type { ZodRawShape } from 'zod';
import { agentService } from '../../apps/agent/src/agent.service-definition';
import { authService } from '../../apps/auth/src/auth.service-definition';
import { classifierService } from '../../apps/classifier/src/classifier.service-definition';
import { gatewayService } from '../../apps/gateway/src/gateway.service-definition';
import { registryService } from '../../apps/registry/src/registry.service-definition';
import { routerService } from '../../apps/router/src/router.service-definition';

async function main(shutdown: GracefulShutdown): Promise<void> {
  const { IIR_AGENT_ENABLED, NATS_URL } = loadConfig({ IIR_AGENT_ENABLED: env.bool(true), NATS_URL: env.natsUrl() });
  // Services that answer first, so the gateway finds them when it starts taking traffic. SIGTERM
  // stops them in reverse: the gateway drains and flushes its usage before auth closes the ledger.
  const services = [entry(registryService), entry(authService), entry(classifierService), entry(routerService)];
  // The local agent with the bundled tiny model: a fresh install answers with no key and no network.
  if (IIR_AGENT_ENABLED) services.push(agentEntry());
  services.push(entry(gatewayService));
  // Every service's settings are checked before any of them starts.
  for (const s of services) loadConfig({ ...commonConfigShape, ...s.shape });
  if (!NATS_URL) {
    process.stdout.write(
      JSON.stringify({
        time: new Date().toISOString(),
        level: 'info',
        service: 'iir',
        msg: 'NATS_URL is not set: using the in-process bus (embedded mode, one process, no NATS needed)',
      }) + '\n',
    );
  }
  for (const s of services) {
    // A SIGTERM while starting: what is up stops (in reverse); the rest is not started.
    if (shutdown.stopping) return;
    await shutdown.track(s.start());
  }
}

/**
 * The embedded agent's owner API wants port 5000, which macOS's AirPlay receiver often holds: then
 * it takes a free port (and says which) rather than stopping the whole of `npm start`.
 */
function agentEntry(): { shape: ZodRawShape; start: () => Promise<RunningService> } {
  return {
    shape: agentService.configShape,
    start: async () => {
      try {
        return await startService(agentService);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || process.env['AGENT_PORT']) throw error;
        process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'warn', service: 'agent', msg: 'port 5000 is taken: the agent API takes a free port' })}\n`);
        return startService(agentService, { ...process.env, AGENT_PORT: '0' });
      }
    },
  };
}

function entry<S extends ZodRawShape>(definition: ServiceDefinition<S>): { shape: ZodRawShape; start: () => Promise<RunningService> } {
  return { shape: definition.configShape, start: () => startService(definition) };
}

const shutdown = new GracefulShutdown();
main(shutdown).catch((error: unknown) => {
  exitWith('start', error);
});
