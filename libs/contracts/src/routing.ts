import type { ModelKind, Protocol } from './registry';

/** What the gateway asks the router. Never contains the prompt's text, only what routing needs. */
export interface PlanRequest {
  requestId: string;
  /** The model the client asked for. */
  model: string;
  /** OpenRouter-style extra models, tried in order after the requested one. */
  models?: string[];
  stream: boolean;
  /** Caller's key id and priority (0 = lowest). */
  keyId?: string;
  priority?: number;
}

/** One place a request may run. Secrets are not part of it: the gateway holds provider keys. */
export interface Target {
  /** Registry model name (`<provider>/<model>`). */
  model: string;
  provider: string;
  kind: ModelKind;
  protocol: Protocol;
  /**
   * Where the upstream lives. For `protocol: 'agent'` it names the agent: `agent://<agentId>`
   * (`agentBaseUrl()`), and the gateway streams the request over `agentChatSubject(agentId)`; a
   * planner emits one target per fresh agent that serves the model.
   */
  baseUrl: string;
  upstreamModel: string;
}

export interface PlanResponse {
  /** The canonical name the request resolved to. */
  model: string;
  /** Ordered: the first target is tried first, the rest are fallbacks. */
  targets: Target[];
  /** The policy that chose the order. */
  policy: string;
  /** A short human-readable reason for the choice. */
  reason: string;
  /**
   * How long the gateway may reuse this plan for the same request shape (model + models list)
   * without asking again; 0 or absent = ask every time (load-dependent policies). Cached plans are
   * dropped on every `registry.models.changed`.
   */
  cacheTtlMs?: number;
}

/** Outcome of one attempt, reported by the gateway for the router's health view. */
export interface AttemptReportedEvent {
  model: string;
  provider: string;
  baseUrl: string;
  outcome: 'ok' | 'error' | 'rate_limited' | 'timeout';
  status?: number;
  latencyMs: number;
}
