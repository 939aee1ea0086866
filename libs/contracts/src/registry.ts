import type { AgentFreshness, AgentHardware } from './agents';
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

export const MODALITIES = ['text', 'image', 'audio', 'file', 'embeddings'] as const;
export type Modality = (typeof MODALITIES)[number];

/** What a model takes and gives; absent = text in, text out. */
export interface Modalities {
  input: Modality[];
  output: Modality[];
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
  /** What the model takes and gives (`/v1/models`' `architecture`); null = text in, text out. */
  modalities?: Modalities | null;
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
  /** Also find a disabled model, by its exact name (admin views). */
  includeDisabled?: boolean;
}
export type ModelGetResponse = ModelRecord;

/** Published after every change to the catalog. */
export interface RegistryChangedEvent {
  version: number;
  reason: string;
}

/**
 * The fields an operator sets on a model (`registry.models.create`); the registry fills in the
 * rest: `provider` from the name, `upstreamModel` from the part after the slash, `baseUrl` empty
 * (agents only), no pricing, no aliases or fallbacks, enabled.
 */
export interface ModelInput {
  name: string;
  kind: ModelKind;
  protocol: Protocol;
  baseUrl?: string;
  upstreamModel?: string;
  contextWindow?: number | null;
  pricing?: Pricing | null;
  modalities?: Modalities | null;
  aliases?: string[];
  fallbacks?: string[];
  enabled?: boolean;
}
export type ModelCreateRequest = ModelInput;
export type ModelCreateResponse = ModelRecord;

/** Changes to one model; absent fields stay as they are. The name cannot change. */
export interface ModelUpdateRequest {
  name: string;
  changes: Partial<Omit<ModelInput, 'name'>>;
}
export type ModelUpdateResponse = ModelRecord;

export interface ModelDeleteRequest {
  name: string;
}
export interface ModelDeleteResponse {
  name: string;
  deleted: true;
}

/** One GPU as the host reports it. */
export interface GpuInfo {
  name: string;
  memoryGb: number;
  vendor: 'nvidia' | 'apple';
}

/** What hardware discovery found on the registry's host. */
export interface HardwareInfo {
  host: string;
  platform: string;
  arch: string;
  cpuModel: string;
  cpuCores: number;
  memoryGb: number;
  gpus: GpuInfo[];
  /** `gpu` (NVIDIA VRAM), `unified` (Apple Silicon) or `cpu` (system RAM only). */
  accelerator: 'gpu' | 'unified' | 'cpu';
  /** The memory models are sized against, after headroom. */
  usableMemoryGb: number;
  /** What discovery could not find out, in words (e.g. "nvidia-smi: not found"). */
  notes: string[];
}

/** An open model from `config/model-catalog.yaml` that fits the host. */
export interface ModelRecommendation {
  id: string;
  family: string;
  parametersB: number;
  quantization: string;
  memoryGb: number;
  contextWindow: number;
  goodFor: string[];
  /** Share of the usable memory the model takes (0–1). */
  fit: number;
  why: string;
}

export type HardwareRefreshRequest = Record<string, never>;
/** The last discovery; `refreshedAt` is null before the first `registry.hardware.refresh`. */
export interface HardwareStatusResponse {
  refreshedAt: string | null;
  hardware: HardwareInfo | null;
  recommendations: ModelRecommendation[];
  /** The registered agents' own hardware, as they announced it (live, not stored with the refresh). */
  agents?: Array<{ agentId: string; freshness: AgentFreshness; models: string[]; hardware: AgentHardware }>;
}
export type HardwareStatusRequest = Record<string, never>;

/**
 * The variable that brings a well-known provider's models into the catalogue (see
 * config/models.yaml's `requires`): what a "no such provider" answer tells the user to set.
 */
export const PROVIDER_SETUP_VARIABLES: Readonly<Record<string, string>> = {
  openai: 'EXTERNAL_OPENAI_KEY',
  anthropic: 'EXTERNAL_ANTHROPIC_KEY',
  openrouter: 'EXTERNAL_OPENROUTER_KEY',
  deepseek: 'EXTERNAL_DEEPSEEK_KEY',
  gemini: 'EXTERNAL_GEMINI_KEY',
  vllm: 'VLLM_BASE_URL',
  'llm-d': 'LLMD_ENDPOINT',
  ollama: 'OLLAMA_BASE_URL',
};
