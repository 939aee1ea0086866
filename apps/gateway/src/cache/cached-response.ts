import type { Usage } from '@iir/contracts';

/** Where the original answer came from, so a hit's routing receipt and usage record can say so. */
export interface CacheMeta {
  /** The model the plan resolved to (the catalogue name). */
  model: string;
  /** The target that answered, and its provider. */
  target: string;
  provider: string;
  /** Whether the target runs locally (`isLocalTarget`): only such answers serve `x-iir-route: local-only`. */
  local?: boolean;
  /** The upstream's token counts for the original call (streams: from its usage chunk). */
  usage?: Pick<Usage, 'prompt_tokens' | 'completion_tokens' | 'total_tokens'>;
  /** Epoch milliseconds. */
  storedAt: number;
}

/**
 * A stored answer, already in its endpoint's format: a JSON body (chat completion, text
 * completion, /infer output, Anthropic message), or a stream's SSE frames as they were written,
 * framing and terminator (`data: [DONE]`, `event: message_stop`) included.
 */
export type CachedResponse = { kind: 'json'; body: unknown; meta: CacheMeta } | { kind: 'stream'; events: string[]; meta: CacheMeta };

export type CachedStream = Extract<CachedResponse, { kind: 'stream' }>;
