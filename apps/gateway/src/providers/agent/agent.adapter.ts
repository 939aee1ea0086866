import {
  agentChatSubject,
  agentEmbedSubject,
  agentIdOf,
  BusError,
  type Bus,
  type ChatCompletionChunk,
  type ChatCompletionRequest,
  type ChatCompletionResponse,
  type EmbeddingsRequest,
  type EmbeddingsResponse,
} from '@iir/contracts';
import { isRecord, primed } from '../http/upstream-call';
import type { CallPhase } from '../http/upstream-errors';
import { UpstreamError, type ProtocolAdapter, type UpstreamCall, type UpstreamStream } from '../provider';
import { CompletionAssembler } from './agent-completion';

/**
 * A Mac (or any) agent over the bus: the target's `baseUrl` is `agent://<agentId>`, the request is
 * streamed on `agentChatSubject(agentId)` and the agent answers OpenAI chat completion chunks. A
 * JSON request is the same stream folded into one completion. Agents are always asked for usage,
 * so the gateway meters them like any upstream.
 *
 * Failures map onto the plan's retry rules: an agent that is not connected (no responders) is a
 * retryable `upstream_unavailable`, so the plan falls back at once; silence longer than the
 * first-byte timeout between chunks, or the whole call past the total timeout, is `upstream_timeout`.
 */
export class AgentAdapter implements ProtocolAdapter {
  readonly protocol = 'agent' as const;

  constructor(private readonly bus: Bus) {}

  async complete(call: UpstreamCall): Promise<ChatCompletionResponse> {
    const assembler = new CompletionAssembler();
    for await (const chunk of this.chunks(call)) assembler.add(chunk);
    return assembler.finish(call.body.model);
  }

  async stream(call: UpstreamCall): Promise<UpstreamStream> {
    return { chunks: await primed(this.chunks(call)) };
  }

  /**
   * Embeddings on the agent's embed subject, in batches of EMBED_BATCH inputs, each answered as
   * base64 (a quarter of the bytes of JSON floats): a big batch never runs into the bus's largest
   * message. The vectors come back in the client's `encoding_format`, usage summed.
   */
  async embed(call: UpstreamCall, request: EmbeddingsRequest): Promise<EmbeddingsResponse> {
    const agentId = agentIdOf(call.target.baseUrl);
    if (agentId === undefined) {
      throw new UpstreamError('upstream_error', `Target '${call.target.model}' names no agent: its baseUrl must be agent://<agentId>.`, { retryable: true });
    }
    const inputs = typeof request.input === 'string' ? [request.input] : (request.input as unknown[]);
    const batches: unknown[][] = [];
    for (let at = 0; at < inputs.length; at += EMBED_BATCH) batches.push(inputs.slice(at, at + EMBED_BATCH));
    const data: EmbeddingsResponse['data'] = [];
    let promptTokens = 0;
    let model = request.model;
    for (const batch of batches) {
      if (call.signal.aborted) throw agentError(new Error('aborted'), agentId, 'before-output', 'caller', call.timeouts.totalMs);
      let answer: EmbeddingsResponse;
      try {
        answer = await this.bus.request<EmbeddingsResponse>(agentEmbedSubject(agentId), { ...request, input: batch, encoding_format: 'base64' }, { timeoutMs: call.timeouts.totalMs });
      } catch (error) {
        throw agentError(error, agentId, 'before-output', call.signal.aborted ? 'caller' : undefined, call.timeouts.totalMs);
      }
      if (!isRecord(answer) || !Array.isArray(answer.data) || answer.data.length !== batch.length) {
        throw new UpstreamError('upstream_error', `Agent '${agentId}' sent malformed embeddings.`, { retryable: true });
      }
      for (const item of answer.data) {
        const packed = typeof item.embedding === 'string' ? item.embedding : Buffer.from(new Float32Array(item.embedding).buffer).toString('base64');
        data.push({ object: 'embedding', index: data.length, embedding: request.encoding_format === 'base64' ? packed : floats(packed) });
      }
      promptTokens += answer.usage?.prompt_tokens ?? 0;
      model = answer.model || model;
    }
    return { object: 'list', model, data, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } };
  }

  private async *chunks(call: UpstreamCall): AsyncGenerator<ChatCompletionChunk, void> {
    const agentId = agentIdOf(call.target.baseUrl);
    if (agentId === undefined) {
      throw new UpstreamError('upstream_error', `Target '${call.target.model}' names no agent: its baseUrl must be agent://<agentId>.`, {
        retryable: true,
      });
    }
    // The caller's abort and the total timeout both cancel the bus stream (which tells the agent).
    const cancel = new AbortController();
    let timedOut = false;
    const onAbort = (): void => cancel.abort();
    const timer = setTimeout(() => {
      timedOut = true;
      cancel.abort();
    }, call.timeouts.totalMs);
    if (call.signal.aborted) cancel.abort();
    else call.signal.addEventListener('abort', onAbort, { once: true });
    const subject = agentChatSubject(agentId);
    let phase: CallPhase = 'before-output';
    try {
      const chunks = this.bus.stream<unknown>(subject, agentBody(call.body), { signal: cancel.signal, timeoutMs: call.timeouts.firstByteMs });
      for await (const chunk of chunks) {
        if (!isRecord(chunk) || !Array.isArray(chunk['choices'])) {
          throw new UpstreamError('upstream_error', `Agent '${agentId}' sent a malformed chunk.`, { retryable: phase === 'before-output' });
        }
        phase = 'after-output';
        yield chunk as ChatCompletionChunk;
      }
    } catch (error) {
      const cause = call.signal.aborted ? 'caller' : timedOut ? 'timeout' : undefined;
      throw agentError(error, agentId, phase, cause, call.timeouts.totalMs);
    } finally {
      clearTimeout(timer);
      call.signal.removeEventListener('abort', onAbort);
    }
    if (phase === 'before-output') {
      throw new UpstreamError('upstream_error', `Agent '${agentId}' ended its answer without sending anything.`, { retryable: true });
    }
  }
}

/** Inputs per embed request to an agent: 4096-dimension vectors in base64 stay far below NATS's 1 MB. */
const EMBED_BATCH = 32;

/** A base64 vector of float32s as numbers. */
function floats(packed: string): number[] {
  // A copy: its own buffer, so the float view starts on a 4-byte boundary.
  const bytes = new Uint8Array(Buffer.from(packed, 'base64'));
  return Array.from(new Float32Array(bytes.buffer, 0, Math.floor(bytes.byteLength / 4)));
}

/** Always a stream (the subject is one), always with usage; the agent gets the model id it serves. */
function agentBody(body: ChatCompletionRequest): ChatCompletionRequest {
  return { ...body, stream: true, stream_options: { ...body.stream_options, include_usage: true } };
}

/** A bus or agent failure as the `UpstreamError` the plan executor acts on. */
export function agentError(
  error: unknown,
  agentId: string,
  phase: CallPhase,
  cause: 'caller' | 'timeout' | undefined,
  totalMs: number,
): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const before = phase === 'before-output';
  const early = before ? '' : 'upstream stream ended early: ';
  if (cause === 'caller') return new UpstreamError('upstream_error', 'The upstream request was cancelled by the caller.', { retryable: false });
  if (cause === 'timeout') {
    return new UpstreamError('upstream_timeout', `${early}agent '${agentId}' did not complete within ${totalMs} ms.`, { retryable: before });
  }
  const bus = BusError.from(error);
  switch (bus.code) {
    case 'bus_no_responders':
      return new UpstreamError('upstream_unavailable', `${early}agent '${agentId}' is not connected.`, { retryable: before });
    case 'bus_timeout':
    case 'upstream_timeout':
      return new UpstreamError('upstream_timeout', `${early}agent '${agentId}' went quiet: ${bus.message}`, { retryable: before });
    case 'invalid_request_error': {
      const param = bus.details?.['param'];
      return new UpstreamError('invalid_request_error', bus.message, {
        retryable: false,
        status: 400,
        param: typeof param === 'string' ? param : null,
      });
    }
    case 'rate_limit_exceeded': {
      const retryAfterMs = bus.details?.['retryAfterMs'];
      return new UpstreamError('rate_limit_exceeded', `${early}agent '${agentId}' is busy: ${bus.message}`, {
        retryable: before,
        ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}),
      });
    }
    case 'model_not_found':
    case 'upstream_unavailable':
    case 'service_unavailable':
      return new UpstreamError('upstream_unavailable', `${early}agent '${agentId}' cannot serve it: ${bus.message}`, { retryable: before });
    default:
      return new UpstreamError('upstream_error', `${early}agent '${agentId}' failed: ${bus.message}`, { retryable: before, upstreamType: bus.code });
  }
}
