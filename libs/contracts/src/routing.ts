import type { ClassifierMessage, PromptComplexity, PromptLabel } from './classifier';
import type { ModelKind, Protocol } from './registry';

/** The model names that ask for smart routing. */
export const AUTO_MODELS = ['auto', 'iir/auto'] as const;

export function isAutoModel(model: string): boolean {
  return (AUTO_MODELS as readonly string[]).includes(model.toLowerCase());
}

/** `x-iir-route`: a request's pin on where `auto` may send it. */
export const ROUTE_PINS = ['local-only', 'prefer-local', 'remote-only'] as const;
export type RoutePin = (typeof ROUTE_PINS)[number];

/** Providers whose models run on the operator's own machines (besides agents). */
export const LOCAL_PROVIDERS: readonly string[] = ['local', 'ollama'];

/**
 * Whether a target runs locally: a Mac agent (`agent://…`) or a local provider. `x-iir-route:
 * local-only` admits only these, on every path (policies, offload, fallbacks, models list, cache).
 */
export function isLocalTarget(target: Pick<Target, 'kind' | 'protocol' | 'baseUrl' | 'provider'>): boolean {
  return target.kind === 'agent' || target.protocol === 'agent' || target.baseUrl.startsWith('agent://') || LOCAL_PROVIDERS.includes(target.provider);
}

/**
 * What the gateway asks the router. Never contains the prompt's text, except — for `auto` only —
 * the trimmed turns the classifier needs (`classify`).
 */
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
  /** For `auto`: the conversation as the classifier needs it (`toClassifierMessages`). */
  classify?: ClassifierMessage[];
  /** The request's `x-iir-route` pin: a hard constraint for every model (`local-only`), and the tiers of `auto`. */
  route?: RoutePin;
  /** OpenRouter's `provider` object, over IIR's provider names: narrows and reorders the plan, never widens it. */
  provider?: ProviderPreferences;
}

export const PROVIDER_SORTS = ['price', 'latency', 'throughput'] as const;
export type ProviderSort = (typeof PROVIDER_SORTS)[number];

/** How a request wants its providers used (OpenRouter's provider routing, with IIR's provider names). */
export interface ProviderPreferences {
  /** These providers first, in this order. */
  order?: string[];
  /** Only these providers. */
  only?: string[];
  /** Never these providers. */
  ignore?: string[];
  /** `false`: no target beyond the `order` list (or beyond the first, without one). Default true. */
  allow_fallbacks?: boolean;
  /** Order the targets by price (cheapest first), latency or throughput (fastest first). */
  sort?: ProviderSort;
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
  /** Set when `auto` chose the plan: what the classifier said and which tier won, and why. */
  auto?: AutoDecision;
}

export interface AutoDecision {
  /** Absent when the classifier could not be asked (the default tier was used). */
  label?: PromptLabel;
  confidence?: number;
  complexity?: PromptComplexity;
  /** The tier the first target comes from. */
  tier: string;
  /** Short, human-readable: why this tier. */
  why: string;
}

/** Outcome of one attempt, reported by the gateway for the router's health view. */
export interface AttemptReportedEvent {
  model: string;
  provider: string;
  baseUrl: string;
  outcome: 'ok' | 'error' | 'rate_limited' | 'timeout';
  status?: number;
  latencyMs: number;
  /** The upstream's Retry-After, when it sent one (a 429's cooldown follows it). */
  retryAfterMs?: number;
}

/** The routing policies the router applies (`config/routing.yaml`); `direct` = no policy. */
export const ROUTING_POLICIES = ['direct', 'weighted', 'least-loaded', 'hard-offload', 'soft-offload'] as const;
export type RoutingPolicyName = (typeof ROUTING_POLICIES)[number];

/** One policy as loaded from the routing file. */
export interface RoutingPolicyView {
  /** A registry model name or a glob (`local/*`). */
  model: string;
  policy: Exclude<RoutingPolicyName, 'direct'>;
  targets?: Array<{ model: string; weight: number }>;
  offloadTo?: string[];
  queueThreshold?: number;
  minLocalPriority?: number;
}

/** Circuit state of one target (model + base URL): closed = healthy, open = cooling down, half-open = probing. */
export type TargetHealthState = 'closed' | 'open' | 'half-open';

export interface TargetHealthView {
  model: string;
  baseUrl: string;
  state: TargetHealthState;
  consecutiveFailures: number;
  /** ISO time the cooldown ends (open), or null. */
  cooldownUntil: string | null;
  lastOutcome: AttemptReportedEvent['outcome'] | null;
  lastReportAt: string | null;
}

export interface AgentLoadView {
  agentId: string;
  models: string[];
  freshness: 'fresh' | 'stale';
  queueLength: number;
  inFlight: number;
  maxConcurrency: number;
  lastHeartbeatAt: string | null;
  loadedModels?: string[];
  /** The machine state of its last heartbeat (power, thermal, owner idle…). */
  state?: Record<string, string | number | boolean>;
  /** Why the `agents:` rules pause it for a priority-0 request; `null` = not paused. */
  pausedBecause?: string | null;
}

export type RoutingStatusRequest = Record<string, never>;

/** `router.routing.status`: what the answering router replica applies right now. */
export interface RoutingStatusResponse {
  policies: RoutingPolicyView[];
  /** The routing file: where, when it was last loaded, and the last load error (old policies kept). */
  config: { path: string; loadedAt: string | null; error: string | null };
  cooldown: { failures: number; ms: number };
  health: TargetHealthView[];
  agents: AgentLoadView[];
}
