import {
  BusError,
  type Bus,
  type CallOptions,
  type EventHandler,
  type RequestHandler,
  type StreamHandler,
  type SubscribeOptions,
  type Subscription,
} from '@iir/contracts';
import { connect, createInbox, errors, headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { traceHeaders, tracingEnabled } from '../tracing/tracing';
import { AsyncQueue } from './async-queue';
import { decode, encode, errorFrame, type ReplyFrame, type StreamFrame } from './codec';

const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
const DEFAULT_STREAM_TIMEOUT_MS = 30_000;

export interface NatsBusOptions {
  servers: string;
  /** Prepended (with a dot) to every subject, so several IIRs or test runs share one NATS. */
  subjectPrefix?: string;
  connectTimeoutMs?: number;
  name?: string;
  onError?: (error: Error) => void;
}

/** The bus over a real NATS connection. */
export class NatsBus implements Bus {
  readonly kind = 'nats' as const;
  private readonly prefix: string;

  private constructor(
    readonly connection: NatsConnection,
    subjectPrefix: string,
    private readonly onError: (error: Error) => void,
  ) {
    this.prefix = subjectPrefix ? `${subjectPrefix}.` : '';
  }

  static async connect(options: NatsBusOptions): Promise<NatsBus> {
    const servers = options.servers.split(',').map((s) => s.trim());
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers,
        name: options.name,
        timeout: options.connectTimeoutMs ?? 2_000,
        // Keep trying forever once connected: a NATS restart must not kill the services.
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
      });
    } catch (error) {
      throw new BusError(
        'service_unavailable',
        `cannot reach NATS at ${servers.join(', ')}: ${(error as Error).message}`,
      );
    }
    return new NatsBus(nc, options.subjectPrefix ?? '', options.onError ?? (() => undefined));
  }

  /** The subject as it is on the wire (with the prefix). */
  qualify(subject: string): string {
    return this.prefix + subject;
  }

  /** The prefix as a token usable in JetStream stream and consumer names ('' without a prefix). */
  get prefixToken(): string {
    return this.prefix.slice(0, -1);
  }

  async request<Res>(subject: string, payload: unknown, options: CallOptions = {}): Promise<Res> {
    const timeout = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    let msg: Msg;
    try {
      const trace = traceHeaders();
      msg = await this.connection.request(this.prefix + subject, encode(payload), trace ? { timeout, headers: toNatsHeaders(trace) } : { timeout });
    } catch (error) {
      throw translateRequestError(error, subject, timeout);
    }
    const frame = decode<ReplyFrame>(msg.data);
    if ('e' in frame) throw BusError.from(frame.e);
    return frame.v as Res;
  }

  stream<Chunk>(subject: string, payload: unknown, options: CallOptions = {}): AsyncIterable<Chunk> {
    const timeout = options.timeoutMs ?? DEFAULT_STREAM_TIMEOUT_MS;
    const inbox = createInbox();
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = (): void => {
      finished = true;
      clearTimeout(timer);
      sub.unsubscribe();
      options.signal?.removeEventListener('abort', onAbort);
    };
    const cancel = (): void => {
      if (finished) return;
      finish();
      // Tell the responder to stop producing.
      this.connection.publish(`${inbox}.cancel`);
    };
    const queue = new AsyncQueue<Chunk>(cancel);
    const onAbort = (): void => {
      cancel();
      queue.fail(new BusError('internal_error', 'stream aborted by the caller'));
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        cancel();
        queue.fail(new BusError('bus_timeout', `no reply on ${subject} within ${timeout} ms`));
      }, timeout);
    };
    const sub = this.connection.subscribe(inbox, {
      callback: (err, msg) => {
        if (finished) return;
        if (err) {
          finish();
          queue.fail(BusError.from(err));
          return;
        }
        if (msg.headers?.code === 503) {
          finish();
          queue.fail(new BusError('bus_no_responders', `no service answers ${subject}`));
          return;
        }
        const frame = decode<StreamFrame>(msg.data);
        if ('c' in frame) {
          arm();
          queue.push(frame.c as Chunk);
        } else if ('e' in frame) {
          finish();
          queue.fail(BusError.from(frame.e));
        } else {
          finish();
          queue.end();
        }
      },
    });
    if (options.signal?.aborted) {
      onAbort();
      return queue;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    arm();
    const trace = traceHeaders();
    this.connection.publish(this.prefix + subject, encode(payload), trace ? { reply: inbox, headers: toNatsHeaders(trace) } : { reply: inbox });
    return queue;
  }

  publish(subject: string, payload: unknown): void {
    this.connection.publish(this.prefix + subject, encode(payload));
  }

  subscribe(subject: string, handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    const strip = this.prefix.length;
    return this.connection.subscribe(this.prefix + subject, {
      queue: options.queue,
      callback: (err, msg) => {
        if (err) return this.onError(err);
        try {
          const result = handler(decode(msg.data), msg.subject.slice(strip));
          if (result instanceof Promise) result.catch((e: unknown) => this.onError(asError(e)));
        } catch (e) {
          this.onError(asError(e));
        }
      },
    });
  }

  handle(subject: string, handler: RequestHandler, options: SubscribeOptions = {}): Subscription {
    const strip = this.prefix.length;
    const never = new AbortController().signal;
    return this.connection.subscribe(this.prefix + subject, {
      queue: options.queue,
      callback: (err, msg) => {
        if (err) return this.onError(err);
        const ctx = { subject: msg.subject.slice(strip), signal: never, ...messageHeaders(msg) };
        let frame: Promise<ReplyFrame>;
        try {
          frame = Promise.resolve(handler(decode(msg.data), ctx)).then(
            (v) => ({ v }),
            (e: unknown) => errorFrame(e),
          );
        } catch (e) {
          frame = Promise.resolve(errorFrame(e));
        }
        frame.then((f) => this.reply(msg, ctx.subject, encode(f))).catch((e: unknown) => this.onError(e instanceof Error ? e : new Error(String(e))));
      },
    });
  }

  /**
   * A reply larger than the server's `max_payload` cannot be sent: the caller gets an error naming
   * the size at once, instead of waiting out its timeout for a reply that never comes.
   */
  private reply(msg: Msg, subject: string, data: Uint8Array): void {
    const max = this.connection.info?.max_payload;
    if (max !== undefined && data.length > max) {
      const error = new BusError('invalid_request_error', `The answer on ${subject} is ${data.length} bytes, more than NATS carries in one message (max_payload ${max}): ask for less at once.`);
      msg.respond(encode(errorFrame(error)));
      return;
    }
    msg.respond(data);
  }

  handleStream(subject: string, handler: StreamHandler, options: SubscribeOptions = {}): Subscription {
    const strip = this.prefix.length;
    return this.connection.subscribe(this.prefix + subject, {
      queue: options.queue,
      callback: (err, msg) => {
        if (err) return this.onError(err);
        if (!msg.reply) return;
        this.serveStream(msg, msg.reply, msg.subject.slice(strip), handler).catch((e: unknown) => this.onError(e instanceof Error ? e : new Error(String(e))));
      },
    });
  }

  private async serveStream(msg: Msg, reply: string, subject: string, handler: StreamHandler): Promise<void> {
    const abort = new AbortController();
    const cancelSub = this.connection.subscribe(`${reply}.cancel`, {
      max: 1,
      callback: () => abort.abort(),
    });
    try {
      for await (const chunk of handler(decode(msg.data), { subject, signal: abort.signal, ...messageHeaders(msg) })) {
        if (abort.signal.aborted) break;
        this.connection.publish(reply, encode({ c: chunk } satisfies StreamFrame));
      }
      if (!abort.signal.aborted) this.connection.publish(reply, encode({ end: true } satisfies StreamFrame));
    } catch (error) {
      if (!abort.signal.aborted) this.connection.publish(reply, encode(errorFrame(error)));
    } finally {
      cancelSub.unsubscribe();
    }
  }

  async drain(): Promise<void> {
    if (this.connection.isClosed()) return;
    await this.connection.drain();
  }
}

/** The caller's trace headers, read only while tracing is on (a handler never pays for them otherwise). */
function messageHeaders(msg: Msg): { headers?: Record<string, string> } {
  if (!tracingEnabled() || !msg.headers) return {};
  const out: Record<string, string> = {};
  for (const key of msg.headers.keys()) out[key.toLowerCase()] = msg.headers.get(key);
  return { headers: out };
}

function toNatsHeaders(values: Record<string, string>): MsgHdrs {
  const h = natsHeaders();
  for (const [k, v] of Object.entries(values)) h.set(k, v);
  return h;
}

function translateRequestError(error: unknown, subject: string, timeout: number): BusError {
  if (error instanceof errors.RequestError && error.isNoResponders()) {
    return new BusError('bus_no_responders', `no service answers ${subject}`);
  }
  if (error instanceof errors.NoRespondersError) {
    return new BusError('bus_no_responders', `no service answers ${subject}`);
  }
  if (error instanceof errors.TimeoutError || (error instanceof Error && error.cause instanceof errors.TimeoutError)) {
    return new BusError('bus_timeout', `no reply on ${subject} within ${timeout} ms`);
  }
  return new BusError('service_unavailable', `bus request on ${subject} failed: ${asError(error).message}`);
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
