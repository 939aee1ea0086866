import type { ChatCompletionRequest, EmbeddingsRequest, EmbeddingsResponse } from '@iir/contracts';
import type { ResponseFormat } from '../chat/response-format';
import { ApiError } from '../errors/api-error';
import { UpstreamError } from '../providers/provider';

/**
 * `POST /v1/embeddings` on the request path: every target is called with its protocol's
 * embeddings call (a protocol without one is skipped with a clear error, so the plan's next
 * target can answer); answers are OpenAI's list of vectors, metered by their prompt tokens and
 * cached without being asked (the same input gives the same vectors).
 */
export function embeddingsFormat(request: EmbeddingsRequest): ResponseFormat {
  return {
    surface: 'embeddings',
    deterministic: true,
    cacheBody: request as unknown as ChatCompletionRequest,
    json: () => {
      throw new Error('embeddings are never translated from a chat completion');
    },
    encoder: () => {
      throw new ApiError('invalid_request_error', 'Embeddings are not streamed.');
    },
    native: {
      handles: () => true,
      refuses: (adapter, target) =>
        adapter.embed
          ? undefined
          : new ApiError('invalid_request_error', `The model '${target.model}' does not serve embeddings (its upstream speaks '${adapter.protocol}').`, { param: 'model' }),
      complete: async (adapter, call) => {
        // `refuses` kept such a target out of the plan before anything was reserved for it.
        if (!adapter.embed) throw new UpstreamError('invalid_request_error', `'${adapter.protocol}' has no embeddings.`, { retryable: false, status: 400, param: 'model' });
        const answer: EmbeddingsResponse = await adapter.embed(call, { ...request, model: call.target.upstreamModel });
        const prompt = typeof answer.usage?.prompt_tokens === 'number' ? answer.usage.prompt_tokens : 0;
        return { body: answer, usage: { prompt_tokens: prompt, completion_tokens: 0, total_tokens: answer.usage?.total_tokens ?? prompt } };
      },
      stream: () => Promise.reject(new ApiError('invalid_request_error', 'Embeddings are not streamed.')),
    },
  };
}
