import type { ChatCompletionChunk, ChatCompletionRequest, ChatCompletionResponse, Target, Usage } from '@iir/contracts';
import type { CacheSurface } from '../cache/cache-key';
import type { ApiError } from '../errors/api-error';
import type { ProtocolAdapter, UpstreamCall } from '../providers/provider';

/**
 * How a chat result is shaped for one endpoint (chat, legacy completions, /infer, Anthropic
 * messages). The request path works in OpenAI's chat shapes; a format turns its answers into the
 * endpoint's.
 */
export interface ResponseFormat {
  /** Which endpoint: part of the response cache's key (the same body answers differently on each). */
  readonly surface: CacheSurface;
  json(response: ChatCompletionResponse): unknown;
  /** A new encoder for one stream (encoders may keep state from chunk to chunk). */
  encoder(body: ChatCompletionRequest): StreamEncoder;
  /** What keys the response cache, when not the chat request (a body with fields the chat shape drops). */
  readonly cacheBody?: ChatCompletionRequest;
  /** Targets that speak the endpoint's own protocol are called without translation. */
  readonly native?: NativeRoute;
  /** The endpoint's answers do not vary between calls (embeddings): cached without `temperature: 0`. */
  readonly deterministic?: boolean;
}

/** One stream's chunks as SSE frames (whole events, framing included). */
export interface StreamEncoder {
  /** The frames for one chunk; '' sends nothing. */
  chunk(chunk: ChatCompletionChunk): string;
  /** The frames that end a whole stream. */
  end(): string;
  /** The frames of a failure after the stream started (no success terminator). */
  fail(error: ApiError): string;
}

/** An answer already in the endpoint's shape, and its usage for the ledger. */
export interface NativeAnswer {
  body: unknown;
  usage: Usage | undefined;
}

/** Frames relayed as the upstream sent them; `usage` when this event tells it (cumulative). */
export interface NativeFrames {
  frames: string;
  usage?: Usage;
}

export interface NativeRoute {
  handles(adapter: ProtocolAdapter): boolean;
  /** A target this endpoint cannot use at all: skipped before anything is reserved for it. */
  refuses?(adapter: ProtocolAdapter, target: Target): ApiError | undefined;
  complete(adapter: ProtocolAdapter, call: UpstreamCall): Promise<NativeAnswer>;
  /** Resolves once the upstream sent its first event; the frames end with the upstream's own terminator. */
  stream(adapter: ProtocolAdapter, call: UpstreamCall): Promise<{ native: AsyncIterable<NativeFrames> }>;
}

const DONE = 'data: [DONE]\n\n';

/**
 * OpenAI framing (`data: {json}\n\n`, then `data: [DONE]`). Usage the adapter asked the upstream
 * for, to meter the stream, reaches the client only if it asked (`stream_options.include_usage`).
 */
class OpenAIStreamEncoder implements StreamEncoder {
  constructor(
    private readonly includeUsage: boolean,
    private readonly shape: (chunk: ChatCompletionChunk) => unknown,
  ) {}

  chunk(chunk: ChatCompletionChunk): string {
    if (chunk.usage && !this.includeUsage) {
      if (chunk.choices.length === 0) return '';
      delete chunk.usage;
    }
    const event = this.shape(chunk);
    return event === undefined ? '' : `data: ${JSON.stringify(event)}\n\n`;
  }

  end(): string {
    return DONE;
  }

  fail(error: ApiError): string {
    return `data: ${JSON.stringify(error.toBody())}\n\n`;
  }
}

const includeUsage = (body: ChatCompletionRequest): boolean => body.stream_options?.include_usage === true;
const asIs = (chunk: ChatCompletionChunk): unknown => chunk;

export const chatFormat: ResponseFormat = {
  surface: 'chat',
  json: (response) => response,
  encoder: (body) => new OpenAIStreamEncoder(includeUsage(body), asIs),
};

/** Legacy `POST /v1/completions`: `text_completion` objects. */
export const textCompletionFormat: ResponseFormat = {
  surface: 'completions',
  json: (r) => ({
    id: r.id,
    object: 'text_completion',
    created: r.created,
    model: r.model,
    choices: r.choices.map((c) => ({
      text: c.message.content ?? '',
      index: c.index,
      logprobs: null,
      finish_reason: c.finish_reason,
    })),
    usage: r.usage,
  }),
  encoder: (body) =>
    new OpenAIStreamEncoder(includeUsage(body), (c) => ({
      id: c.id,
      object: 'text_completion',
      created: c.created,
      model: c.model,
      choices: c.choices.map((ch) => ({
        text: ch.delta.content ?? '',
        index: ch.index,
        logprobs: null,
        finish_reason: ch.finish_reason,
      })),
      ...(c.usage ? { usage: c.usage } : {}),
    })),
};

/** `POST /infer`: `{output, usage}` (never streamed). */
export const inferFormat: ResponseFormat = {
  surface: 'infer',
  json: (r) => ({ output: r.choices[0]?.message.content ?? '', model: r.model, usage: r.usage, finish_reason: r.choices[0]?.finish_reason ?? null }),
  encoder: (body) => new OpenAIStreamEncoder(includeUsage(body), () => undefined),
};
