import type { ChatCompletionChunk, ChatCompletionResponse } from '@iir/contracts';
import { upstreamHttpError } from '../http/error-body';
import { sseEvents } from '../http/sse-parser';
import { connectionError, type UpstreamClient } from '../http/upstream-client';
import { UpstreamError, type ProtocolAdapter, type UpstreamCall, type UpstreamStream } from '../provider';

/**
 * OpenAI's Chat Completions wire format, spoken by OpenAI, vLLM, llm-d, OpenRouter, DeepSeek,
 * Gemini's OpenAI endpoint and Ollama's `/v1`. Streams always ask the upstream for usage
 * (`stream_options.include_usage`) so IIR can meter them; the gateway forwards the usage chunk
 * only to clients that asked for it.
 */
export class OpenAICompatibleAdapter implements ProtocolAdapter {
  readonly protocol = 'openai' as const;

  constructor(private readonly http: UpstreamClient) {}

  async complete(call: UpstreamCall): Promise<ChatCompletionResponse> {
    const url = `${baseUrlOf(call)}/chat/completions`;
    const body = { ...call.body, stream: false };
    delete (body as { stream_options?: unknown }).stream_options;
    const res = await this.http.post(call, url, body, call.provider.headers(call.apiKey));
    if (res.statusCode < 200 || res.statusCode >= 300) throw await upstreamHttpError(res, new URL(url).origin);
    try {
      return (await res.body.json()) as ChatCompletionResponse;
    } catch (error) {
      if (error instanceof SyntaxError) {
        throw new UpstreamError('upstream_error', `The upstream ${new URL(url).origin} sent a malformed response.`, {
          retryable: false,
        });
      }
      throw connectionError(error, url, call.signal.aborted);
    }
  }

  async stream(call: UpstreamCall): Promise<UpstreamStream> {
    const url = `${baseUrlOf(call)}/chat/completions`;
    const body = { ...call.body, stream: true, stream_options: { ...(call.body.stream_options ?? {}), include_usage: true } };
    const res = await this.http.post(call, url, body, call.provider.headers(call.apiKey));
    const origin = new URL(url).origin;
    if (res.statusCode < 200 || res.statusCode >= 300) throw await upstreamHttpError(res, origin);
    return { chunks: openAIChunks(res.body, origin, call.signal) };
  }
}

async function* openAIChunks(
  body: AsyncIterable<Buffer>,
  origin: string,
  signal: AbortSignal,
): AsyncGenerator<ChatCompletionChunk> {
  let done = false;
  try {
    for await (const { data } of sseEvents(body)) {
      if (data === '[DONE]') {
        done = true;
        break;
      }
      let parsed: ChatCompletionChunk & { error?: { message?: string } };
      try {
        parsed = JSON.parse(data) as typeof parsed;
      } catch {
        throw new UpstreamError('upstream_error', `The upstream ${origin} sent a malformed stream event.`, { retryable: false });
      }
      if (parsed.error) {
        throw new UpstreamError('upstream_error', `The upstream ${origin} failed mid-stream: ${parsed.error.message ?? 'unknown error'}`, {
          retryable: false,
        });
      }
      yield parsed;
    }
  } catch (error) {
    if (error instanceof UpstreamError) throw error;
    if (signal.aborted) return;
    throw new UpstreamError('upstream_error', `The upstream ${origin} stream broke off: ${(error as Error).message}`, {
      retryable: false,
    });
  } finally {
    if (!done) (body as unknown as { destroy?: () => void }).destroy?.();
  }
  if (!done && !signal.aborted) {
    throw new UpstreamError('upstream_error', `The upstream ${origin} stream ended early (no [DONE]).`, { retryable: false });
  }
}

function baseUrlOf(call: UpstreamCall): string {
  return (call.target.baseUrl || call.provider.defaultBaseUrl).replace(/\/+$/, '');
}
