import type { ChatCompletionChunk, ChatCompletionResponse } from '@iir/contracts';
import type { CacheSurface } from '../cache/cache-key';

/** How a chat result is shaped for one endpoint (chat, legacy completions, /infer). */
export interface ResponseFormat {
  /** Which endpoint: part of the response cache's key (the same body answers differently on each). */
  surface: CacheSurface;
  json(response: ChatCompletionResponse): unknown;
  /** One SSE event for a chunk, or undefined to send nothing for it. */
  chunk(chunk: ChatCompletionChunk): unknown;
}

export const chatFormat: ResponseFormat = {
  surface: 'chat',
  json: (response) => response,
  chunk: (chunk) => chunk,
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
  chunk: (c) => ({
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
  }),
};

/** `POST /infer`: `{output, usage}`. */
export const inferFormat: ResponseFormat = {
  surface: 'infer',
  json: (r) => ({ output: r.choices[0]?.message.content ?? '', model: r.model, usage: r.usage, finish_reason: r.choices[0]?.finish_reason ?? null }),
  chunk: () => undefined,
};
