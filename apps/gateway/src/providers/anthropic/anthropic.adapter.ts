import type { ChatCompletionChunk, ChatCompletionResponse } from '@iir/contracts';
import { upstreamHttpError } from '../http/error-body';
import { sseEvents } from '../http/sse-parser';
import { connectionError, type UpstreamClient } from '../http/upstream-client';
import { UpstreamError, type ProtocolAdapter, type UpstreamCall, type UpstreamStream } from '../provider';
import { toAnthropicRequest } from './anthropic-request';
import { AnthropicStreamTranslator, fromAnthropicResponse, type AnthropicResponse } from './anthropic-response';

/** Anthropic's Messages API, translated to and from OpenAI's chat completions. */
export class AnthropicAdapter implements ProtocolAdapter {
  readonly protocol = 'anthropic' as const;

  constructor(private readonly http: UpstreamClient) {}

  async complete(call: UpstreamCall): Promise<ChatCompletionResponse> {
    const url = `${baseUrlOf(call)}/messages`;
    const res = await this.http.post(call, url, toAnthropicRequest(call.body, false), call.provider.headers(call.apiKey));
    if (res.statusCode < 200 || res.statusCode >= 300) throw await upstreamHttpError(res, new URL(url).origin);
    try {
      return fromAnthropicResponse((await res.body.json()) as AnthropicResponse);
    } catch (error) {
      throw connectionError(error, url, call.signal.aborted);
    }
  }

  async stream(call: UpstreamCall): Promise<UpstreamStream> {
    const url = `${baseUrlOf(call)}/messages`;
    const res = await this.http.post(call, url, toAnthropicRequest(call.body, true), call.provider.headers(call.apiKey));
    const origin = new URL(url).origin;
    if (res.statusCode < 200 || res.statusCode >= 300) throw await upstreamHttpError(res, origin);
    return { chunks: translate(res.body, origin, call.signal) };
  }
}

async function* translate(body: AsyncIterable<Buffer>, origin: string, signal: AbortSignal): AsyncGenerator<ChatCompletionChunk> {
  const translator = new AnthropicStreamTranslator();
  let stopped = false;
  try {
    for await (const { event, data } of sseEvents(body)) {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(data) as Record<string, unknown>;
      } catch {
        throw new UpstreamError('upstream_error', `The upstream ${origin} sent a malformed stream event.`, { retryable: false });
      }
      const type = (parsed['type'] as string | undefined) ?? event;
      if (type === 'error') {
        const err = parsed['error'] as { type?: string; message?: string } | undefined;
        throw new UpstreamError('upstream_error', `The upstream ${origin} failed mid-stream: ${err?.message ?? err?.type ?? 'error'}`, {
          retryable: false,
        });
      }
      yield* translator.translate(type, parsed);
      if (type === 'message_stop') {
        stopped = true;
        break;
      }
    }
  } catch (error) {
    if (error instanceof UpstreamError) throw error;
    if (signal.aborted) return;
    throw new UpstreamError('upstream_error', `The upstream ${origin} stream broke off: ${(error as Error).message}`, { retryable: false });
  } finally {
    if (!stopped) (body as unknown as { destroy?: () => void }).destroy?.();
  }
  if (!stopped && !signal.aborted) {
    throw new UpstreamError('upstream_error', `The upstream ${origin} stream ended early (no message_stop).`, { retryable: false });
  }
}

function baseUrlOf(call: UpstreamCall): string {
  return (call.target.baseUrl || call.provider.defaultBaseUrl).replace(/\/+$/, '');
}
