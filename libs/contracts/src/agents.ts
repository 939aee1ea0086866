/** What a Mac (or any) agent can tell about its machine. */
export interface AgentHardware {
  cpu?: string;
  cores?: number;
  memoryGb?: number;
  gpu?: string | null;
  /** e.g. `apple-silicon`, `nvidia`, `cpu`. */
  accelerator?: string;
}

/** `registry.agents.register`: idempotent; re-registering the same id replaces what it serves. */
export interface AgentRegisterRequest {
  agentId: string;
  /** Registry model names it serves (`local/llama-3-8b-instruct`). */
  models: string[];
  hardware: AgentHardware;
  maxConcurrency: number;
  version: string;
  /**
   * A random secret the agent makes at start and sends with every registration and heartbeat. The
   * registry keeps only its SHA-256: while the agent is fresh, another token cannot take its id;
   * once it is stale, a new token may (a restarted agent recovers). Never logged.
   */
  instanceToken?: string;
  /**
   * HTTP mode: where the gateway reaches the agent's OpenAI-compatible API (`http://mac:5000`);
   * plans then target `<url>/v1` over HTTP instead of the agent's bus subject.
   */
  url?: string;
  /**
   * The agent's credential (an `agent` key for this id, or an admin key): required on NATS unless
   * the registry runs with `AGENT_AUTH=off`. Checked, never stored, never logged.
   */
  credential?: string;
}

/** `registry.agents.heartbeat`: every `AGENT_HEARTBEAT_MS`. */
export interface AgentHeartbeat {
  agentId: string;
  queueLength: number;
  inFlight: number;
  loadedModels: string[];
  /** Free-form: power source, thermal state, battery… */
  state: Record<string, string | number | boolean>;
  sentAt: string;
  /** The token the agent registered with; required when it registered with one. */
  instanceToken?: string;
  /** As in the registration. */
  credential?: string;
}

export type AgentFreshness = 'fresh' | 'stale';

/** An agent as the registry knows it. */
export interface AgentRecord {
  agentId: string;
  models: string[];
  hardware: AgentHardware;
  maxConcurrency: number;
  version: string;
  queueLength: number;
  inFlight: number;
  loadedModels: string[];
  state: Record<string, string | number | boolean>;
  registeredAt: string;
  lastHeartbeatAt: string | null;
  freshness: AgentFreshness;
  /** HTTP-mode agents: their API root (see `AgentRegisterRequest.url`). */
  url?: string;
}

export interface AgentsListRequest {
  includeStale?: boolean;
}
export interface AgentsListResponse {
  agents: AgentRecord[];
  /** Bumps on every registration, heartbeat-driven freshness change or removal. */
  version: number;
}

/** Broadcast after registration, a freshness change (fresh ↔ stale) and removal; routers refresh. */
export interface AgentsChangedEvent {
  agentId: string;
  reason: 'registered' | 'fresh' | 'stale' | 'removed';
  version: number;
}

/**
 * The subject an agent serves chat completions on (a stream: request = the upstream body, chunks =
 * OpenAI chat completion chunks). One per agent, so a plan can pick the agent.
 */
export function agentChatSubject(agentId: string): string {
  return `agent.${agentId.replace(/[^A-Za-z0-9_-]/g, '_')}.chat`;
}

/** The subject an agent makes embeddings on (a request: `EmbeddingsRequest` → `EmbeddingsResponse`). */
export function agentEmbedSubject(agentId: string): string {
  return `agent.${agentId.replace(/[^A-Za-z0-9_-]/g, '_')}.embed`;
}

/** The scheme of a `Target.baseUrl` that names an agent: `agent://<agentId>`. */
export const AGENT_URL_SCHEME = 'agent://';

/** The `Target.baseUrl` for one agent, so a plan can name which agent runs the request. */
export function agentBaseUrl(agentId: string): string {
  return `${AGENT_URL_SCHEME}${agentId}`;
}

/** The agent id in an `agent://<agentId>` base URL; `undefined` for anything else. */
export function agentIdOf(baseUrl: string): string | undefined {
  if (!baseUrl.startsWith(AGENT_URL_SCHEME)) return undefined;
  const id = baseUrl.slice(AGENT_URL_SCHEME.length).replace(/\/+$/, '');
  return id.length > 0 ? id : undefined;
}
