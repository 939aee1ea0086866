import type { ChatCompletionChunk, ChatCompletionResponse, Usage } from '@iir/contracts';
import { endedEarly, isRecord, malformedEvent, parseJson, primed, sendUpstream } from '../http/upstream-call';
import type { UpstreamHttpClient, UpstreamResponse } from '../http/upstream-client';
import { streamEventError, type CallPhase } from '../http/upstream-errors';
import { UpstreamError, type ProtocolAdapter, type UpstreamCall, type UpstreamStream } from '../provider';
import { toAnthropicRequest } from './anthropic-request';
import { fromAnthropicMessage, toUsage } from './anthropic-response';
import { AnthropicStreamTranslator } from './anthropic-stream';
import type { AnthropicMessage, AnthropicStreamEvent, AnthropicUsage } from './anthropic.wire';

/** A message relayed as Anthropic sent it, and its usage in OpenAI's terms (for the ledger). */
export interface RelayedMessage {
  body: Record<string, unknown>;
  usage: Usage;
}

/** One relayed stream event, framed as it arrived; `usage` (cumulative) when the event carries some. */
export interface RelayedFrames {
  frames: string;
  usage?: Usage;
}

const MESSAGES_PATH = '/messages';

/**
 * Anthropic's Messages API (`POST {baseUrl}/messages`), translated to and from OpenAI's chat
 * completions both ways, JSON and streaming. Anthropic always reports usage, so streams end with a
 * usage-only chunk for the caller to forward when the client asked for it.
 */
export class AnthropicAdapter implements ProtocolAdapter {
  readonly protocol = 'anthropic' as const;

  constructor(
    private readonly http: UpstreamHttpClient,
    private readonly now: () => number = Date.now,
  ) {}

  async complete(call: UpstreamCall): Promise<ChatCompletionResponse> {
    const body = JSON.stringify(toAnthropicRequest(call.body, false));
    const res = await sendUpstream(this.http, call, MESSAGES_PATH, body, 'json');
    const parsed = parseJson(await res.text());
    if (!isRecord(parsed) || parsed['type'] !== 'message' || !Array.isArray(parsed['content'])) {
      if (isRecord(parsed) && parsed['type'] === 'error') throw streamEventError(parsed, call.provider.id, call.apiKey, 'before-output');
      throw new UpstreamError('upstream_error', `Provider '${call.provider.id}' sent a malformed message.`, { retryable: true });
    }
    return fromAnthropicMessage(parsed as unknown as AnthropicMessage, this.seconds());
  }

  async stream(call: UpstreamCall): Promise<UpstreamStream> {
    const body = JSON.stringify(toAnthropicRequest(call.body, true));
    const res = await sendUpstream(this.http, call, MESSAGES_PATH, body, 'sse');
    const translator = new AnthropicStreamTranslator(this.seconds());
    return { chunks: await primed(anthropicChunks(res, translator, call.provider.id, call.apiKey)) };
  }

  /**
   * The client's own Messages body (already carrying the target's model id), sent as it is: for a
   * client that speaks Anthropic's API to an Anthropic upstream, nothing is translated or lost.
   */
  async relayJson(call: UpstreamCall, body: string, headers: Record<string, string>): Promise<RelayedMessage> {
    const res = await sendUpstream(this.http, call, MESSAGES_PATH, body, 'json', headers);
    const parsed = parseJson(await res.text());
    if (!isRecord(parsed) || parsed['type'] !== 'message') {
      if (isRecord(parsed) && parsed['type'] === 'error') throw streamEventError(parsed, call.provider.id, call.apiKey, 'before-output');
      throw new UpstreamError('upstream_error', `Provider '${call.provider.id}' sent a malformed message.`, { retryable: true });
    }
    return { body: parsed, usage: toUsage(parsed['usage'] as AnthropicUsage | undefined) };
  }

  /** `POST /messages/count_tokens` with the client's body: the upstream's own tokenizer counts. */
  async countTokens(call: UpstreamCall, body: string, headers: Record<string, string>): Promise<number> {
    const res = await sendUpstream(this.http, call, `${MESSAGES_PATH}/count_tokens`, body, 'json', headers);
    const parsed = parseJson(await res.text());
    if (!isRecord(parsed) || typeof parsed['input_tokens'] !== 'number') {
      throw new UpstreamError('upstream_error', `Provider '${call.provider.id}' sent a malformed token count.`, { retryable: true });
    }
    return parsed['input_tokens'];
  }

  /** The same, streamed: every event relayed with its data as it arrived, `ping`s included. */
  async relayStream(call: UpstreamCall, body: string, headers: Record<string, string>): Promise<AsyncIterable<RelayedFrames>> {
    const res = await sendUpstream(this.http, call, MESSAGES_PATH, body, 'sse', headers);
    return primed(relayedFrames(res, call.provider.id, call.apiKey));
  }

  private seconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

async function* anthropicChunks(
  res: UpstreamResponse,
  translator: AnthropicStreamTranslator,
  providerId: string,
  apiKey: string | undefined,
): AsyncGenerator<ChatCompletionChunk, void> {
  let phase: CallPhase = 'before-output';
  let last: ChatCompletionChunk | undefined;
  try {
    for await (const event of res.events()) {
      const parsed = parseJson(event.data);
      if (!isRecord(parsed)) throw malformedEvent(phase);
      const type = typeof parsed['type'] === 'string' ? parsed['type'] : event.event;
      if (type === 'error') throw streamEventError(parsed, providerId, apiKey, phase);
      const chunk = translator.translate({ ...parsed, type } as AnthropicStreamEvent);
      if (translator.done) {
        last = chunk;
        res.complete();
        break;
      }
      if (chunk) {
        phase = 'after-output';
        yield chunk;
      }
    }
  } catch (error) {
    throw error instanceof UpstreamError ? error : res.failure(error, phase);
  }
  if (!translator.done) throw endedEarly(phase, 'message_stop');
  if (last) yield last;
}

async function* relayedFrames(res: UpstreamResponse, providerId: string, apiKey: string | undefined): AsyncGenerator<RelayedFrames, void> {
  let phase: CallPhase = 'before-output';
  let stopped = false;
  const usage: AnthropicUsage = {};
  try {
    for await (const event of res.events()) {
      const parsed = parseJson(event.data);
      if (!isRecord(parsed)) throw malformedEvent(phase);
      const type = typeof parsed['type'] === 'string' ? parsed['type'] : (event.event ?? '');
      if (type === 'error') throw streamEventError(parsed, providerId, apiKey, phase);
      const frames = `event: ${type}\ndata: ${event.data}\n\n`;
      const counted = type === 'message_start' ? (parsed['message'] as { usage?: AnthropicUsage } | undefined)?.usage : type === 'message_delta' ? (parsed['usage'] as AnthropicUsage | undefined) : undefined;
      if (counted) {
        for (const [k, v] of Object.entries(counted)) if (typeof v === 'number') usage[k as keyof AnthropicUsage] = v;
      }
      phase = 'after-output';
      yield counted ? { frames, usage: toUsage(usage) } : { frames };
      if (type === 'message_stop') {
        stopped = true;
        res.complete();
        break;
      }
    }
  } catch (error) {
    throw error instanceof UpstreamError ? error : res.failure(error, phase);
  }
  if (!stopped) throw endedEarly(phase, 'message_stop');
}
