import { counter, gauge, histogram } from '@iir/platform';
import type { Counter, Gauge, Histogram } from 'prom-client';

export interface AgentMetrics {
  up: Gauge;
  inFlight: Gauge;
  queueLength: Gauge;
  freeSlots: Gauge;
  tokensPerSecond: Gauge;
  completionTokens: Counter<'model'>;
  promptTokens: Counter<'model'>;
  requests: Counter<'model' | 'outcome'>;
  ttft: Histogram<'model'>;
  /** The machine's state as numbers (battery %, owner idle s); 1 per label for enums (power, thermal). */
  state: Gauge<'field' | 'value'>;
  modelLoaded: Gauge<'model' | 'backend'>;
}

/** The agent's metrics, on `/metrics` beside the process defaults. */
export function agentMetrics(): AgentMetrics {
  const up = gauge({ name: 'iir_agent_up', help: '1 while the IIR agent is running.' });
  up.set(1);
  return {
    up,
    inFlight: gauge({ name: 'iir_agent_in_flight', help: 'Generations running on the agent now.' }),
    queueLength: gauge({ name: 'iir_agent_queue_length', help: 'Requests waiting for a slot.' }),
    freeSlots: gauge({ name: 'iir_agent_free_slots', help: 'Slots free to start a generation now (AGENT_PARALLEL minus running).' }),
    tokensPerSecond: gauge({ name: 'iir_agent_tokens_per_second', help: 'Recent generation speed (completion tokens per second, moving average).' }),
    completionTokens: counter({ name: 'iir_agent_completion_tokens_total', help: 'Tokens generated, by model.', labelNames: ['model'] }),
    promptTokens: counter({ name: 'iir_agent_prompt_tokens_total', help: 'Prompt tokens read, by model.', labelNames: ['model'] }),
    requests: counter({ name: 'iir_agent_requests_total', help: 'Chat requests, by model and outcome (ok, error, cancelled, busy).', labelNames: ['model', 'outcome'] }),
    ttft: histogram({
      name: 'iir_agent_time_to_first_token_seconds',
      help: 'From a slot being granted to the first generated token.',
      labelNames: ['model'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    state: gauge({ name: 'iir_agent_machine_state', help: 'The machine state the agent heartbeats: numeric fields as values, enum fields as 1 on their value label.', labelNames: ['field', 'value'] }),
    modelLoaded: gauge({ name: 'iir_agent_model_loaded', help: '1 when a model the agent serves is in memory.', labelNames: ['model', 'backend'] }),
  };
}
