import { counter, FAST_BUCKETS, gauge, histogram, zeroSeries } from '@iir/platform';
import type { Counter, Gauge, Histogram } from 'prom-client';

/** How a plan request ended: `model_not_found` is the client's mistake, `error` anything else. */
export type PlanOutcome = 'ok' | 'model_not_found' | 'error';

export interface RouterMetrics {
  /** Plan requests by the policy that answered and how they ended. */
  plans: Counter<'policy' | 'outcome'>;
  planDuration: Histogram;
  catalogModels: Gauge;
  catalogReloads: Counter<'outcome'>;
  /** Targets a policy currently skips after failures (0 until cooldowns exist). */
  targetsInCooldown: Gauge;
  /** Agents the router knows, by whether their last heartbeat is recent (0 until agents exist). */
  agents: Gauge<'state'>;
  /** 1 while the `agents:` rules pause the agent (for a priority-0 request), else 0. */
  agentPaused: Gauge<'agent'>;
  /** The agent's score for its first model (lower is preferred). */
  agentScore: Gauge<'agent'>;
  /** Queue length and in-flight requests of each agent's last heartbeat. */
  agentQueueLength: Gauge<'agent'>;
  agentInFlight: Gauge<'agent'>;
  /** `auto` plans by the classifier's label and complexity and the tier chosen. */
  autoDecisions: Counter<'label' | 'complexity' | 'tier'>;
  /** `auto` requests planned without the classifier (unreachable, slow, failed). */
  autoClassifierFailures: Counter;
}

/** The router's metrics on the process-wide registry (shared by every router in the process). */
export function routerMetrics(): RouterMetrics {
  const metrics: RouterMetrics = {
    plans: counter({
      name: 'iir_router_plans_total',
      help: 'Plan requests answered by the router, by policy and outcome (ok, model_not_found, error).',
      labelNames: ['policy', 'outcome'],
    }),
    planDuration: histogram({
      name: 'iir_router_plan_duration_seconds',
      help: 'Time the router spent computing a plan, in seconds.',
      buckets: FAST_BUCKETS,
    }),
    catalogModels: gauge({ name: 'iir_router_catalog_models', help: 'Enabled models in the router’s copy of the registry.' }),
    catalogReloads: counter({
      name: 'iir_router_catalog_reloads_total',
      help: 'Loads of the model catalogue from the registry, by outcome (ok, error).',
      labelNames: ['outcome'],
    }),
    targetsInCooldown: gauge({ name: 'iir_router_targets_in_cooldown', help: 'Targets currently skipped by routing after recent failures.' }),
    agents: gauge({ name: 'iir_router_agents', help: 'Agents known to the router, by heartbeat state (fresh, stale).', labelNames: ['state'] }),
    agentPaused: gauge({
      name: 'iir_router_agent_paused',
      help: 'Whether the agents: rules of routing.yaml pause the agent (1) or not (0), for a priority-0 request.',
      labelNames: ['agent'],
    }),
    agentScore: gauge({
      name: 'iir_router_agent_score',
      help: 'The agent routing score for its first model (lower is preferred): 10 per queued request plus load, power, heat and owner terms.',
      labelNames: ['agent'],
    }),
    agentQueueLength: gauge({ name: 'iir_router_agent_queue_length', help: 'Queued requests of the agent at its last heartbeat.', labelNames: ['agent'] }),
    agentInFlight: gauge({ name: 'iir_router_agent_in_flight', help: 'Requests the agent was running at its last heartbeat.', labelNames: ['agent'] }),
    autoDecisions: counter({
      name: 'iir_router_auto_decisions_total',
      help: 'auto plans by classifier label, complexity and the tier chosen (label "none" without the classifier).',
      labelNames: ['label', 'complexity', 'tier'],
    }),
    autoClassifierFailures: counter({
      name: 'iir_router_auto_classifier_failures_total',
      help: 'auto requests planned on the default tiers because the classifier did not answer.',
    }),
  };
  zeroSeries(metrics.catalogReloads, [{ outcome: 'ok' }, { outcome: 'error' }]);
  zeroSeries(metrics.agents, [{ state: 'fresh' }, { state: 'stale' }]);
  return metrics;
}
