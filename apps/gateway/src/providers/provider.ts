import type {
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatCompletionResponse,
  EmbeddingsRequest,
  EmbeddingsResponse,
  ErrorCode,
  Protocol,
  Target,
} from '@iir/contracts';

/**
 * A provider described as data: where it lives, how it authenticates, which wire protocol it speaks.
 * Adding a provider touches one folder under `providers/`.
 */
export interface ProviderDescriptor {
  /** The `<provider>` part of model names, e.g. `openai`, `anthropic`, `vllm`. */
  id: string;
  protocol: Protocol;
  /** Base URL when the registry row gives none (`…/v1` for OpenAI-compatible ones). */
  defaultBaseUrl: string;
  /** Environment variable holding the API key, e.g. `EXTERNAL_OPENAI_KEY`. */
  apiKeyVariable?: string;
  /** A call without a key fails at once, without a round trip, when this is true (hosted APIs). */
  apiKeyRequired?: boolean;
  /**
   * A setting that overrides `defaultBaseUrl` (e.g. `VLLM_BASE_URL`), plus what to append to it
   * (`/v1` for `LLMD_ENDPOINT`). Resolved by the provider catalog from the settings it is given.
   */
  baseUrlSetting?: { variable: string; suffix?: string };
  /**
   * OpenAI-compatible only: whether the upstream accepts `stream_options` (default true). When it
   * does, streamed calls always ask for `include_usage` so the gateway can meter them.
   */
  acceptsStreamOptions?: boolean;
  /** Headers that carry the key (and any fixed headers the provider wants). */
  headers(apiKey: string | undefined): Record<string, string>;
}

export interface UpstreamTimeouts {
  /** TCP/TLS connect. */
  connectMs: number;
  /** Until the response headers (and, for streams, nothing later). */
  firstByteMs: number;
  /** The whole call, body included. */
  totalMs: number;
  /** Longest silence between two chunks of a response body (a stalled stream); absent = none. */
  idleMs?: number;
}

/** One call to one target. `body.model` is already the upstream's model id. */
export interface UpstreamCall {
  target: Target;
  provider: ProviderDescriptor;
  body: ChatCompletionRequest;
  apiKey: string | undefined;
  signal: AbortSignal;
  timeouts: UpstreamTimeouts;
}

/**
 * A failed upstream call. `retryable` failures (connect errors, 429, 5xx, timeouts before the first
 * byte) may be retried or sent to the next target; others (a 400 from the provider) go back to
 * the client as they are.
 */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    readonly code: Extract<ErrorCode, 'upstream_error' | 'upstream_unavailable' | 'upstream_timeout' | 'rate_limit_exceeded' | 'invalid_request_error'>,
    message: string,
    readonly options: {
      /** HTTP status the upstream answered, if it answered. */
      status?: number;
      retryable: boolean;
      retryAfterMs?: number;
      /** The provider's own error message/type, when it sent one (surfaced to the client). */
      upstreamType?: string;
      param?: string | null;
    },
  ) {
    super(message);
  }
}

/**
 * Result of a streamed call: resolves once the upstream accepted (status 2xx, headers in) and sent
 * its first event, so a failure before any output (an SSE error event, a dropped connection) still
 * rejects `stream()` and can be retried or sent to the next target.
 */
export interface UpstreamStream {
  /**
   * OpenAI-shaped chunks; throws `UpstreamError` if the upstream fails mid-stream. Adapters ask
   * upstreams for usage, so the last chunk may be a usage-only chunk (`choices: []`) even when the
   * client did not ask for one: the caller forwards it only if `stream_options.include_usage`.
   * Stopping the iteration early (`break`) closes the upstream request.
   */
  chunks: AsyncIterable<ChatCompletionChunk>;
}

/** Speaks one wire protocol; translates to and from OpenAI's chat completion shapes. */
export interface ProtocolAdapter {
  readonly protocol: Protocol;
  complete(call: UpstreamCall): Promise<ChatCompletionResponse>;
  stream(call: UpstreamCall): Promise<UpstreamStream>;
  /** `POST /embeddings`, for protocols that have it; `request.model` is already the upstream's id. */
  embed?(call: UpstreamCall, request: EmbeddingsRequest): Promise<EmbeddingsResponse>;
}
