import { gauge } from '@iir/platform';
import type { Gauge } from 'prom-client';

/** The agent's metrics: `iir_agent_up` is 1 while the agent process serves. */
export function agentMetrics(): { up: Gauge } {
  const up = gauge({ name: 'iir_agent_up', help: '1 while the IIR agent is running.' });
  up.set(1);
  return { up };
}
