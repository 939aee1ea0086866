/**
 * Who a key belongs to: `admin` keys may manage keys and read stats; an `agent` key is one agent's
 * credential: it may register and heartbeat that agent id and call nothing else.
 */
export const KEY_ROLES = ['user', 'admin', 'agent'] as const;
export type KeyRole = (typeof KEY_ROLES)[number];

/** An API key as every service but `auth` sees it: never the secret, never its hash. */
export interface ApiKeyInfo {
  id: string;
  /** The first characters of the secret (`iir-ab12cd…`), to tell keys apart in lists. */
  displayPrefix: string;
  description: string;
  role: KeyRole;
  /** 0 = lowest. Travels in plan requests and usage records. */
  priority: number;
  /** Requests per minute; null = unlimited. */
  rpm: number | null;
  /** Tokens per minute; null = unlimited. */
  tpm: number | null;
  /** Model-name globs (`local/*`, `openai/gpt-4o*`); empty = every model. */
  allowedModels: string[];
  /** ISO-8601; null = never expires. */
  expiresAt: string | null;
  createdAt: string;
  revokedAt: string | null;
  /** `agent` keys only: the one agent id the key speaks for. */
  agentId?: string | null;
}

export interface KeyCreateRequest {
  description?: string;
  role?: KeyRole;
  priority?: number;
  rpm?: number | null;
  tpm?: number | null;
  allowedModels?: string[];
  expiresAt?: string | null;
  /** Required for (and only for) role `agent`. */
  agentId?: string;
}
/** The only answer that ever carries the secret. */
export interface KeyCreateResponse {
  key: ApiKeyInfo;
  secret: string;
}

/** Looks a presented key up by its SHA-256 (hex): the secret itself never crosses the bus. */
export interface KeyVerifyRequest {
  hash: string;
}
/** `key` is absent for an unknown hash; a revoked or expired key comes back with `usable: false`. */
export interface KeyVerifyResponse {
  key?: ApiKeyInfo;
  usable: boolean;
  reason?: 'unknown' | 'revoked' | 'expired';
}

export interface KeyListRequest {
  includeRevoked?: boolean;
}
export interface KeyListResponse {
  keys: ApiKeyInfo[];
}

export interface KeyRevokeRequest {
  id: string;
}
export type KeyRevokeResponse = ApiKeyInfo;

/** Broadcast to every gateway replica: drop the key from every local cache now. */
export interface KeyRevokedEvent {
  id: string;
  /** SHA-256 (hex) of the secret, so caches keyed by hash can purge it. */
  hash: string;
}

/** What a finished request cost and how it went; written once per request id. */
export interface UsageRecord {
  /** The gateway's own id for the request (never the client's): the ledger's key. */
  requestId: string;
  /** The client's `x-request-id` (printable ASCII, at most 128 characters), for correlation only; never unique. */
  clientRequestId?: string | null;
  /** null for requests without a key (open gateway, static keys). */
  keyId: string | null;
  priority: number;
  /** The model the client asked for. */
  model: string;
  /** The model that answered (`<provider>/<model>`); null when nothing answered. */
  target: string | null;
  provider: string | null;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  latencyMs: number;
  /** Time to the first byte of the answer (first streamed chunk); null when nothing was sent. */
  ttftMs: number | null;
  /** The HTTP status the client got. */
  status: number;
  /** The error code when the request failed. */
  errorCode: string | null;
  cacheHit: boolean;
  stream: boolean;
  /** The routing policy that chose the target (`direct`, `auto`, …); null when no plan was made. */
  policy?: string | null;
  /** `auto` only: the classifier's label, its confidence, the complexity and the tier chosen. */
  routeLabel?: string | null;
  routeConfidence?: number | null;
  routeComplexity?: string | null;
  routeTier?: string | null;
  /** The request's `x-iir-route` pin (`local-only`, …); null when it had none. */
  routePin?: string | null;
  /** ISO-8601 time the request arrived. */
  createdAt: string;
}

export const STATS_GROUPS = ['key', 'model', 'target'] as const;
export type StatsGroup = (typeof STATS_GROUPS)[number];

export interface StatsRequest {
  /** ISO-8601, inclusive; default 24 h ago. */
  since?: string;
  /** ISO-8601, exclusive; default now. */
  until?: string;
  groupBy?: StatsGroup[];
  /** Only the requests the client tagged with this `x-request-id`. */
  clientRequestId?: string;
  /** Only one key's requests. */
  keyId?: string;
}

/**
 * One request's record, by the gateway's request id. `keyId` scopes it: only a record of that key
 * (null: of no key) is answered; `any` (admin callers) answers whoever's it is.
 */
export interface UsageGetRequest {
  requestId: string;
  keyId: string | null;
  any?: boolean;
}
export type UsageGetResponse = UsageRecord;
export interface StatsRow {
  keyId?: string | null;
  model?: string;
  target?: string | null;
  requests: number;
  errors: number;
  cacheHits: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  avgLatencyMs: number;
  avgTtftMs: number | null;
}
export interface StatsResponse {
  since: string;
  until: string;
  groupBy: StatsGroup[];
  rows: StatsRow[];
}
