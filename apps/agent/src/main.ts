import 'reflect-metadata';
import { BusError } from '@iir/contracts';
import { exitWith, GracefulShutdown, startService, type RunningService } from '@iir/platform';
import { agentService } from './agent.service-definition';

/**
 * Unlike the other services, an agent on a Mac outlives the network it dials: NATS away at start is
 * waited out with backoff (a Mac wakes from sleep before its Wi-Fi does), never a crash. A bad
 * setting still stops it with a message naming the variable.
 */
async function startPatiently(): Promise<RunningService> {
  let waitMs = 500;
  for (;;) {
    try {
      return await startService(agentService);
    } catch (error) {
      if (!(error instanceof BusError) || error.code !== 'service_unavailable') throw error;
      process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'warn', service: 'agent', msg: 'NATS unreachable, retrying', err: error.message, retryInMs: waitMs })}\n`);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      waitMs = Math.min(waitMs * 2, 30_000);
    }
  }
}

const shutdown = new GracefulShutdown();
shutdown.track(startPatiently()).catch((error: unknown) => exitWith('agent', error));
