import type { ChatCompletionChunk, PlanResponse, Target, Usage } from '@iir/contracts';
import { JsonLogger } from '@iir/platform';
import { Inject, Injectable } from '@nestjs/common';
import { StreamRecorder } from '../cache/stream-recorder';
import { ApiError } from '../errors/api-error';
import { EXECUTION_SETTINGS, type ExecutionSettings } from '../execution/execution-settings';
import { PlanExecutor, type Executed } from '../execution/plan-executor.service';
import { SseWriter } from '../execution/sse';
import { UpstreamError } from '../providers/provider';
import { CacheStep } from './cache-step';
import { clientClosed, type ChatExchange } from './chat-exchange';
import type { NativeFrames } from './response-format';
import { cacheMeta, planRouteHeaders, routeHeaders } from './route-receipt';

/** A stream's source: OpenAI chunks to encode, or frames relayed from an upstream speaking the endpoint's protocol. */
type StreamSource = { chunks: AsyncIterable<ChatCompletionChunk> } | { native: AsyncIterable<NativeFrames> };

/**
 * A streamed answer: run the plan until the upstream's first event, open the SSE stream with the
 * receipt, relay every event in the endpoint's framing, end it with the terminator (or an error
 * event: never a silent truncation), and store it if it ran to its end.
 */
@Injectable()
export class StreamResponder {
  constructor(
    private readonly executor: PlanExecutor,
    private readonly cache: CacheStep,
    @Inject(EXECUTION_SETTINGS) private readonly execution: ExecutionSettings,
    private readonly logger: JsonLogger,
  ) {}

  async respond(exchange: ChatExchange, plan: PlanResponse, admit: (target: Target) => Promise<ApiError | undefined>, store: string | undefined): Promise<void> {
    const { body, format, reply, signal, outcome, requestId } = exchange;
    const native = format.native;
    const encoder = format.encoder(body);
    const running = this.executor.run<StreamSource>(
      plan,
      body,
      signal,
      (adapter, call) => (native?.handles(adapter) ? native.stream(adapter, call) : adapter.stream(call)),
      admit,
    );
    const keepAliveMs = this.execution.sseKeepAliveMs;
    const early = keepAliveMs > 0 ? await settledWithin(running, keepAliveMs) : await running;
    let sse: SseWriter;
    let done: Executed<StreamSource>;
    if (early === STILL_WAITING) {
      // The upstream is still thinking after a keep-alive interval: the stream starts now, so the
      // client gets comments instead of silence (headers without the target, not known yet). A
      // failure from here on is an error event.
      reply.hijack();
      sse = new SseWriter(reply.raw);
      sse.open(200, { 'x-request-id': requestId, ...(reply.getHeaders() as Record<string, string>), ...planRouteHeaders(plan) });
      sse.keepAlive(keepAliveMs);
      try {
        done = await running;
      } catch (error) {
        const apiError = signal.aborted ? clientClosed() : error instanceof UpstreamError ? new ApiError(error.code, error.message) : ApiError.from(error);
        outcome.failed(apiError);
        if (!signal.aborted) this.logger.write('warn', 'stream failed before its first chunk, after it started', { requestId, err: error });
        sse.end(encoder.fail(apiError));
        return;
      }
    } else {
      done = early;
      // From here on the status is sent: failures become an error event, never a silent truncation.
      reply.hijack();
      sse = new SseWriter(reply.raw);
      sse.open(200, { 'x-request-id': requestId, ...(reply.getHeaders() as Record<string, string>), ...routeHeaders(plan, done.target, done.attempts) });
      sse.keepAlive(keepAliveMs);
    }
    const recorder = store ? new StreamRecorder({ maxBytes: this.cache.maxStreamBytes }) : undefined;
    exchange.answered(done.target, done.attempts);
    const source = done.value;
    try {
      if ('native' in source) {
        for await (const piece of source.native) {
          if (sse.closed) break;
          outcome.firstByte();
          if (piece.usage) outcome.usage = piece.usage;
          sse.write(piece.frames);
          recorder?.add(piece.frames);
        }
      } else {
        for await (const chunk of source.chunks) {
          if (sse.closed) break;
          outcome.firstByte();
          if (chunk.usage) outcome.usage = chunk.usage as Usage;
          const frames = encoder.chunk(chunk);
          sse.write(frames);
          if (frames) recorder?.add(frames);
        }
      }
      const completed = !sse.closed;
      if (sse.closed && signal.aborted) outcome.failed(clientClosed());
      // A relayed stream carries its own terminator.
      const tail = 'native' in source ? '' : encoder.end();
      sse.end(tail);
      if (tail) recorder?.add(tail);
      // Stored only if it ran to its end: a cut stream is never replayed as if it were whole.
      const entry = completed && store ? recorder?.finish(cacheMeta(plan, done.target, outcome.usage)) : undefined;
      if (entry && store) this.cache.store(store, entry);
    } catch (error) {
      if (signal.aborted) {
        outcome.failed(clientClosed());
        return;
      }
      const apiError =
        error instanceof UpstreamError
          ? new ApiError(error.code, error.message)
          : error instanceof ApiError
            ? error
            : new ApiError('upstream_error', 'The upstream failed while streaming.');
      outcome.failed(apiError);
      this.logger.write('warn', 'stream failed after it started', { requestId, target: done.target.model, err: error });
      sse.end(encoder.fail(apiError));
    }
  }
}

const STILL_WAITING = Symbol('still waiting');

/** `work`'s value if it settles within `ms`, else STILL_WAITING (`work` goes on; a rejection within `ms` rejects here). */
async function settledWithin<T>(work: Promise<T>, ms: number): Promise<T | typeof STILL_WAITING> {
  let timer: NodeJS.Timeout | undefined;
  const wait = new Promise<typeof STILL_WAITING>((resolve) => (timer = setTimeout(() => resolve(STILL_WAITING), ms)));
  try {
    return await Promise.race([work, wait]);
  } finally {
    clearTimeout(timer);
  }
}
