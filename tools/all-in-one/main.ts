/**
 * `npm start`: every IIR service in one Node process, on embedded defaults (in-process bus when
 * NATS_URL is unset, SQLite under ./var, in-memory cache when REDIS_URL is unset).
 *
 * This launcher sits outside `apps/` on purpose: apps never import apps, and this is the one place
 * that composes them. Each service keeps its own port, config and Nest application.
 */
import 'reflect-metadata';
import { exitWith, loadConfig, env, startService, stopOnSignals, type RunningService } from '@iir/platform';
import { agentService } from '../../apps/agent/src/agent.service-definition';
import { authService } from '../../apps/auth/src/auth.service-definition';
import { classifierService } from '../../apps/classifier/src/classifier.service-definition';
import { gatewayService } from '../../apps/gateway/src/gateway.service-definition';
import { registryService } from '../../apps/registry/src/registry.service-definition';
import { routerService } from '../../apps/router/src/router.service-definition';

async function main(): Promise<void> {
  const { IIR_AGENT_ENABLED, NATS_URL } = loadConfig({ IIR_AGENT_ENABLED: env.bool(false), NATS_URL: env.natsUrl() });
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
  const backends = [registryService, authService, classifierService, routerService];
  if (IIR_AGENT_ENABLED) backends.push(agentService as never);
  const running: RunningService[] = [];
  try {
    // Services that answer first, so the gateway finds them when it starts taking traffic.
    for (const definition of backends) running.push(await startService(definition as never));
    running.push(await startService(gatewayService));
  } catch (error) {
    await Promise.allSettled(running.map((s) => s.close()));
    exitWith('start', error);
  }
  stopOnSignals(...running);
}

void main();
