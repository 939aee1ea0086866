/** Knobs of plan execution, from the gateway's config. */
export interface ExecutionSettings {
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  /** Longest silence between two chunks of an upstream body. */
  idleTimeoutMs: number;
  totalTimeoutMs: number;
  /** Extra tries of one target on a retryable failure before moving to the next. */
  retriesPerTarget: number;
  /** Base of the jittered exponential backoff between tries. */
  retryBackoffMs: number;
  /** A Retry-After longer than this sends the request to the next target instead of waiting. */
  maxRetryWaitMs: number;
  /** A stream silent this long gets an SSE `: keep-alive` comment, so proxies and clients do not give up on it (0 = never). */
  sseKeepAliveMs: number;
}

export const EXECUTION_SETTINGS = Symbol('EXECUTION_SETTINGS');
