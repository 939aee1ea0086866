import {
  BusError,
  type Bus,
  type CallOptions,
  type EventHandler,
  type HandlerContext,
  type RequestHandler,
  type StreamHandler,
  type SubscribeOptions,
  type Subscription,
} from '@iir/contracts';
import { AsyncQueue } from './async-queue';
import { wireCopy } from './codec';
import { subjectMatches } from './subject-match';

const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
const DEFAULT_STREAM_TIMEOUT_MS = 30_000;

type Kind = 'event' | 'request' | 'stream';
interface Entry {
  kind: Kind;
  pattern: string;
  queue: string | undefined;
  handler: EventHandler | RequestHandler | StreamHandler;
}

/**
 * The bus inside one process, for embedded mode (`npm start` without NATS). Same semantics as
 * NATS: payloads cross as JSON copies, queue groups share work round-robin, subscribers without a
 * queue each get every event, a request without responders fails at once, one without a reply
 * times out. Delivery is asynchronous, as on the wire.
 */
export class InProcessBus implements Bus {
  readonly kind = 'in-process' as const;
  private readonly entries = new Set<Entry>();
  private readonly roundRobin = new Map<string, number>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly onError: (error: Error) => void = () => undefined) {}

  request<Res>(subject: string, payload: unknown, options: CallOptions = {}): Promise<Res> {
    const timeout = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const entry = this.pickResponder('request', subject);
    if (!entry) return Promise.reject(new BusError('bus_no_responders', `no service answers ${subject}`));
    const data = wireCopy(payload);
    const ctx: HandlerContext = { subject, signal: new AbortController().signal };
    return new Promise<Res>((resolve, reject) => {
      let forget = (): void => undefined;
      const timer = setTimeout(() => {
        // Nobody waits for this reply any more; drain() need not either.
        forget();
        reject(new BusError('bus_timeout', `no reply on ${subject} within ${timeout} ms`));
      }, timeout);
      const work = Promise.resolve()
        .then(() => (entry.handler as RequestHandler)(data, ctx))
        .then(
          (value) => {
            clearTimeout(timer);
            resolve(wireCopy(value) as Res);
          },
          (error: unknown) => {
            clearTimeout(timer);
            reject(BusError.from(wireCopy(BusError.from(error).toJSON())));
          },
        );
      forget = this.track(work);
    });
  }

  stream<Chunk>(subject: string, payload: unknown, options: CallOptions = {}): AsyncIterable<Chunk> {
    const timeout = options.timeoutMs ?? DEFAULT_STREAM_TIMEOUT_MS;
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let forget = (): void => undefined;
    const stop = (): void => {
      clearTimeout(timer);
      abort.abort();
      forget();
      options.signal?.removeEventListener('abort', onAbort);
    };
    const queue = new AsyncQueue<Chunk>(stop);
    const onAbort = (): void => {
      stop();
      queue.fail(new BusError('internal_error', 'stream aborted by the caller'));
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stop();
        queue.fail(new BusError('bus_timeout', `no reply on ${subject} within ${timeout} ms`));
      }, timeout);
    };
    const entry = this.pickResponder('stream', subject);
    if (!entry) {
      queue.fail(new BusError('bus_no_responders', `no service answers ${subject}`));
      return queue;
    }
    if (options.signal?.aborted) {
      onAbort();
      return queue;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    arm();
    const data = wireCopy(payload);
    const work = (async () => {
      await Promise.resolve();
      try {
        for await (const chunk of (entry.handler as StreamHandler)(data, { subject, signal: abort.signal })) {
          if (abort.signal.aborted) return;
          arm();
          queue.push(wireCopy(chunk) as Chunk);
        }
        if (!abort.signal.aborted) {
          clearTimeout(timer);
          queue.end();
        }
      } catch (error) {
        if (!abort.signal.aborted) {
          clearTimeout(timer);
          queue.fail(BusError.from(wireCopy(BusError.from(error).toJSON())));
        }
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
      }
    })();
    forget = this.track(work);
    return queue;
  }

  publish(subject: string, payload: unknown): void {
    if (this.closed) return;
    const groups = new Map<string, Entry[]>();
    for (const entry of this.entries) {
      if (entry.kind !== 'event' || !subjectMatches(entry.pattern, subject)) continue;
      const key = entry.queue === undefined ? `\u0000${groups.size}` : `${entry.pattern}\u0000${entry.queue}`;
      const list = groups.get(key) ?? [];
      list.push(entry);
      groups.set(key, list);
    }
    for (const [key, list] of groups) {
      const entry = this.rotate(key, list);
      const data = wireCopy(payload);
      const work = Promise.resolve()
        .then(() => (entry.handler as EventHandler)(data, subject))
        .catch((error: unknown) => this.onError(error instanceof Error ? error : new Error(String(error))));
      this.track(work);
    }
  }

  subscribe(subject: string, handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    return this.add({ kind: 'event', pattern: subject, queue: options.queue, handler });
  }

  handle(subject: string, handler: RequestHandler, options: SubscribeOptions = {}): Subscription {
    return this.add({ kind: 'request', pattern: subject, queue: options.queue, handler });
  }

  handleStream(subject: string, handler: StreamHandler, options: SubscribeOptions = {}): Subscription {
    return this.add({ kind: 'stream', pattern: subject, queue: options.queue, handler });
  }

  async drain(): Promise<void> {
    this.closed = true;
    this.entries.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private add(entry: Entry): Subscription {
    this.entries.add(entry);
    return { unsubscribe: () => void this.entries.delete(entry) };
  }

  /** Like NATS: among all matching responders (any queue), one answers. */
  private pickResponder(kind: Kind, subject: string): Entry | undefined {
    if (this.closed) return undefined;
    const matches: Entry[] = [];
    for (const entry of this.entries) {
      if (entry.kind === kind && subjectMatches(entry.pattern, subject)) matches.push(entry);
    }
    if (matches.length === 0) return undefined;
    return this.rotate(`${kind}\u0000${subject}`, matches);
  }

  private rotate(key: string, list: Entry[]): Entry {
    if (list.length === 1) return list[0] as Entry;
    const next = (this.roundRobin.get(key) ?? 0) % list.length;
    this.roundRobin.set(key, next + 1);
    return list[next] as Entry;
  }

  /** Remembers work for drain(); returns a function that forgets it (its caller gave up). */
  private track(work: Promise<unknown>): () => void {
    this.inFlight.add(work);
    const forget = (): void => void this.inFlight.delete(work);
    // Both ways: a rejected `work` is its caller's to handle, never an unhandled rejection here.
    work.then(forget, forget);
    return forget;
  }
}
