import type { Bus, HandlerContext, Subscription } from '@iir/contracts';
import { BaseRpcContext, type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { isObservable, lastValueFrom, type Observable } from 'rxjs';
import { AsyncQueue } from '../bus/async-queue';
import { activeContext, contextFrom, failSpan, SpanKind, startSpan, tracingEnabled, withSpan } from '../tracing/tracing';

/** What `@Ctx()` gives a bus handler. */
export class BusContext extends BaseRpcContext<[HandlerContext]> {
  get subject(): string {
    return this.args[0].subject;
  }
  get signal(): AbortSignal {
    return this.args[0].signal;
  }
}

/** Handler options, passed as the `extras` of `@MessagePattern` / `@EventPattern`. */
export interface BusHandlerExtras {
  /** A stream handler: every value it yields is a chunk of the reply. */
  stream?: boolean;
  /** An event every replica must see (no queue group), e.g. key revocation. */
  broadcast?: boolean;
}

/**
 * Nest transport strategy over IIR's `Bus` (NATS or in process). `@MessagePattern(SUBJECT)` handlers
 * answer requests, `@MessagePattern(SUBJECT, { stream: true })` handlers stream, and
 * `@EventPattern(SUBJECT)` handlers get events. Replicas of a service join one queue group so they
 * share the work; `broadcast` events skip it.
 */
export class BusTransport extends Server implements CustomTransportStrategy {
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly bus: Bus,
    private readonly queue: string,
  ) {
    super();
  }

  listen(callback: (...optionalParams: unknown[]) => unknown): void {
    for (const [pattern, handler] of this.messageHandlers) {
      const extras = (handler.extras ?? {}) as BusHandlerExtras;
      this.subscriptions.push(this.bind(pattern, handler, extras));
    }
    callback();
  }

  private bind(pattern: string, handler: MessageHandler, extras: BusHandlerExtras): Subscription {
    if (handler.isEventHandler) {
      return this.bus.subscribe(
        pattern,
        async (payload, subject) => {
          const ctx = new BusContext([{ subject, signal: new AbortController().signal }]);
          const result = await handler(payload, ctx);
          if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
        },
        { queue: extras.broadcast ? undefined : this.queue },
      );
    }
    if (extras.stream) {
      return this.bus.handleStream(
        pattern,
        (payload, ctx) => this.toIterable(handler(payload, new BusContext([ctx]))),
        { queue: this.queue },
      );
    }
    const answer = async (payload: unknown, ctx: HandlerContext): Promise<unknown> => {
      const result: unknown = await handler(payload, new BusContext([ctx]));
      return isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }) : result;
    };
    return this.bus.handle(pattern, (payload, ctx) => (tracingEnabled() ? this.traced(pattern, payload, ctx, answer) : answer(payload, ctx)), { queue: this.queue });
  }

  /**
   * A request handled under a server span named after its subject, continuing the caller's trace:
   * from the message's `traceparent` over NATS, from the caller's own context in process.
   */
  private async traced(subject: string, payload: unknown, ctx: HandlerContext, answer: (payload: unknown, ctx: HandlerContext) => Promise<unknown>): Promise<unknown> {
    const parent = ctx.headers ? contextFrom(ctx.headers) : activeContext();
    const span = startSpan(subject, { 'messaging.system': 'nats', 'messaging.destination.name': subject, 'iir.service': this.queue }, SpanKind.SERVER, parent);
    try {
      return await withSpan(span, () => answer(payload, ctx));
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  /** Nest hands back an Observable (of values, or of one AsyncIterable); the bus wants chunks. */
  private async *toIterable(result: Promise<unknown>): AsyncGenerator<unknown> {
    const resolved = await result;
    const source = isObservable(resolved) ? resolved : this.transformToObservable(resolved);
    for await (const value of observableToIterable(source as Observable<unknown>)) {
      if (isAsyncIterable(value)) yield* value;
      else yield value;
    }
  }

  close(): void {
    for (const sub of this.subscriptions.splice(0)) sub.unsubscribe();
  }

  on(): void {
    // The bus reports its own connection events.
  }

  unwrap<T>(): T {
    return this.bus as T;
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function observableToIterable<T>(source: Observable<T>): AsyncIterable<T> {
  const queue: AsyncQueue<T> = new AsyncQueue<T>(() => subscription.unsubscribe());
  const subscription = source.subscribe({
    next: (value) => queue.push(value),
    error: (error: unknown) => queue.fail(error),
    complete: () => queue.end(),
  });
  return queue;
}
