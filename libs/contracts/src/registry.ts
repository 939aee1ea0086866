/** Where a model runs. */
export const MODEL_KINDS = ['hosted', 'vllm', 'llm-d', 'agent'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** The wire protocol an upstream speaks; selects the gateway's adapter. */
export const PROTOCOLS = ['openai', 'anthropic', 'agent'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** Price in USD per million tokens. */
export interface Pricing {
  promptPerMTok: number;
  completionPerMTok: number;
}

/** One row of the model registry: the source of truth for a routable model name. */
export interface ModelRecord {
  /** `<provider>/<model>`, the name clients send. */
  name: string;
  provider: string;
  kind: ModelKind;
  protocol: Protocol;
  /** Base URL of the upstream API (`…/v1` for OpenAI-compatible ones); empty for agents. */
  baseUrl: string;
  /** The model id the upstream expects. */
  upstreamModel: string;
  contextWindow: number | null;
  pricing: Pricing | null;
  /** Other names that resolve to this model. */
  aliases: string[];
  /** Model names to try, in order, when this one fails. */
  fallbacks: string[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ModelsListRequest {
  /** Include disabled models (admin views). */
  includeDisabled?: boolean;
}
export interface ModelsListResponse {
  models: ModelRecord[];
  /** Monotonic version of the catalog; bumps on every change. */
  version: number;
}
export interface ModelGetRequest {
  name: string;
}
export type ModelGetResponse = ModelRecord;

/** Published after every change to the catalog. */
export interface RegistryChangedEvent {
  version: number;
  reason: string;
}
