import type { ChatCompletionChunk, ChatCompletionRequest, ChatCompletionResponse, EmbeddingsRequest, EmbeddingsResponse } from '@iir/contracts';
import { endedEarly, isRecord, malformedEvent, parseJson, primed, sendUpstream } from '../http/upstream-call';
import type { UpstreamHttpClient, UpstreamResponse } from '../http/upstream-client';
import { streamEventError, type CallPhase } from '../http/upstream-errors';
import { UpstreamError, type ProtocolAdapter, type ProviderDescriptor, type UpstreamCall, type UpstreamStream } from '../provider';

const CHAT_PATH = '/chat/completions';
const EMBEDDINGS_PATH = '/embeddings';

/**
 * OpenAI's Chat Completions wire format, spoken by OpenAI, vLLM, llm-d, OpenRouter, DeepSeek,
 * Gemini's OpenAI endpoint and Ollama's `/v1`. Bodies pass through untouched (unknown fields too);
 * responses' `id`, `model` and `created` are the upstream's.
 *
 * Usage: a streamed call always asks the upstream for `stream_options.include_usage` (unless the
 * provider rejects `stream_options`), so the gateway can meter every stream; the last chunk is then
 * a usage-only chunk (`choices: []`) that the caller forwards only to clients that asked for it.
 */
export class OpenAICompatibleAdapter implements ProtocolAdapter {
  readonly protocol = 'openai' as const;

  constructor(private readonly http: UpstreamHttpClient) {}

  async complete(call: UpstreamCall): Promise<ChatCompletionResponse> {
    const res = await sendUpstream(this.http, call, CHAT_PATH, JSON.stringify(jsonBody(call.body)), 'json');
    const parsed = parseJson(await res.text());
    if (isRecord(parsed) && parsed['error'] !== undefined && parsed['error'] !== null) {
      // Some compatible servers answer 200 with an error body.
      throw streamEventError(parsed, call.provider.id, call.apiKey, 'before-output');
    }
    if (!isRecord(parsed) || !Array.isArray(parsed['choices'])) {
      throw new UpstreamError('upstream_error', `Provider '${call.provider.id}' sent a malformed chat completion.`, { retryable: true });
    }
    return parsed as ChatCompletionResponse;
  }

  async embed(call: UpstreamCall, request: EmbeddingsRequest): Promise<EmbeddingsResponse> {
    const res = await sendUpstream(this.http, call, EMBEDDINGS_PATH, JSON.stringify(request), 'json');
    const parsed = parseJson(await res.text());
    if (isRecord(parsed) && parsed['error'] !== undefined && parsed['error'] !== null) throw streamEventError(parsed, call.provider.id, call.apiKey, 'before-output');
    if (!isRecord(parsed) || !Array.isArray(parsed['data'])) {
      throw new UpstreamError('upstream_error', `Provider '${call.provider.id}' sent malformed embeddings.`, { retryable: true });
    }
    return parsed as unknown as EmbeddingsResponse;
  }

  async stream(call: UpstreamCall): Promise<UpstreamStream> {
    const res = await sendUpstream(this.http, call, CHAT_PATH, JSON.stringify(streamBody(call.body, call.provider)), 'sse');
    return { chunks: await primed(openAIChunks(res, call.provider.id, call.apiKey)) };
  }
}

/** A non-streamed call never carries stream fields; the common case is sent as it is. */
function jsonBody(body: ChatCompletionRequest): ChatCompletionRequest {
  if (body.stream === undefined && body.stream_options === undefined) return body;
  const { stream: _stream, stream_options: _options, ...rest } = body;
  return rest as ChatCompletionRequest;
}

function streamBody(body: ChatCompletionRequest, provider: ProviderDescriptor): ChatCompletionRequest {
  if (provider.acceptsStreamOptions === false) {
    const { stream_options: _options, ...rest } = body;
    return { ...rest, stream: true } as ChatCompletionRequest;
  }
  if (body.stream === true && body.stream_options?.include_usage === true) return body;
  return { ...body, stream: true, stream_options: { ...body.stream_options, include_usage: true } };
}

/**
 * `data: {chunk}` events until `data: [DONE]`. An error event or a stream that stops short throws
 * `UpstreamError`; after `[DONE]` the rest of the body drains so the socket can be reused.
 */
async function* openAIChunks(res: UpstreamResponse, providerId: string, apiKey: string | undefined): AsyncGenerator<ChatCompletionChunk, void> {
  let phase: CallPhase = 'before-output';
  let done = false;
  try {
    for await (const event of res.events()) {
      const data = event.data;
      if (data === '[DONE]') {
        done = true;
        res.complete();
        break;
      }
      if (data.length === 0) continue;
      const parsed = parseJson(data);
      if (!isRecord(parsed)) throw malformedEvent(phase);
      if (event.event === 'error' || (parsed['error'] !== undefined && parsed['error'] !== null)) {
        throw streamEventError(parsed, providerId, apiKey, phase);
      }
      phase = 'after-output';
      yield parsed as ChatCompletionChunk;
    }
  } catch (error) {
    throw error instanceof UpstreamError ? error : res.failure(error, phase);
  }
  if (!done) throw endedEarly(phase, 'data: [DONE]');
}
