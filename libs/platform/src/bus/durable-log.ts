import type { Bus } from '@iir/contracts';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { background } from '../service/background';
import { decode, encode } from './codec';
import { NatsBus } from './nats-bus';

export interface DurableLogOptions {
  /** JetStream stream name (letters, digits, `_`); the bus prefix is added to it. */
  stream: string;
  /** The subject records are appended on (the bus prefix is added to it). */
  subject: string;
  /** How long the stream keeps records (default 7 days). */
  maxAgeMs?: number;
  /** Records held in memory while NATS cannot take them; past it the oldest are dropped (logged). */
  maxBacklog?: number;
  onError?: (message: string, error?: unknown) => void;
}

export interface DurableConsumer {
  stop(): Promise<void>;
}

/**
 * An append-only log of records that must not be lost (usage records). Over NATS it is a JetStream
 * stream: `append` publishes with the record id as `Nats-Msg-Id` (JetStream drops duplicates within
 * its window) and, while NATS cannot take a record, keeps it in memory and retries; `consume` is a
 * durable pull consumer whose handler acknowledges a batch only after it resolved, so records
 * written by a stopped consumer wait in the stream. In process there is no durability to have:
 * `append` hands the record straight to the consumer.
 */
export interface DurableLog<T> {
  append(id: string, record: T): void;
  consume(durable: string, handler: (records: T[]) => Promise<void>): Promise<DurableConsumer>;
  /** Records not yet accepted by the log (NATS down). */
  backlog(): number;
  /** Waits (bounded) until the backlog is empty, then stops retrying. */
  close(timeoutMs?: number): Promise<void>;
}

export async function createDurableLog<T>(bus: Bus, options: DurableLogOptions): Promise<DurableLog<T>> {
  if (bus instanceof NatsBus) {
    const log = new JetStreamLog<T>(bus, options);
    await log.ensureStream();
    return log;
  }
  return new InProcessLog<T>(bus, options.subject);
}

class InProcessLog<T> implements DurableLog<T> {
  constructor(
    private readonly bus: Bus,
    private readonly subject: string,
  ) {}

  append(_id: string, record: T): void {
    this.bus.publish(this.subject, record);
  }

  async consume(_durable: string, handler: (records: T[]) => Promise<void>): Promise<DurableConsumer> {
    // No stream to redeliver from in process: a failed write is retried here, a few times.
    const deliver = async (record: T): Promise<void> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await handler([record]);
        } catch (error) {
          if (attempt >= IN_PROCESS_TRIES) throw error;
          await new Promise((r) => setTimeout(r, RETRY_MS * attempt));
        }
      }
    };
    const delivering = new Set<Promise<void>>();
    const sub = this.bus.subscribe(this.subject, (record) => {
      const work = deliver(record as T);
      delivering.add(work);
      return work.finally(() => delivering.delete(work));
    });
    return {
      // Records already handed over are written before the consumer says it stopped.
      stop: async () => {
        sub.unsubscribe();
        await Promise.allSettled([...delivering]);
      },
    };
  }

  backlog(): number {
    return 0;
  }

  async close(): Promise<void> {
    // Nothing is buffered in process.
  }
}

const DAY_MS = 86_400_000;
const DUPLICATE_WINDOW_MS = 10 * 60_000;
const PUBLISH_TIMEOUT_MS = 2_000;
/** Most records handed to the handler at once. */
const FETCH_BATCH = 200;
/** Messages the pull keeps asked for (refilled at 75 %), and how long one pull request lives (heartbeat: half of it). */
const CONSUME_MAX_MESSAGES = 1_000;
const CONSUME_EXPIRES_MS = 10_000;
/** A message a consumer took but never acknowledged (it crashed) is redelivered after this long. */
const ACK_WAIT_MS = 10_000;
const MAX_ACK_PENDING = 10_000;
const RETRY_MS = 500;
const MAX_IN_FLIGHT = 64;
const IN_PROCESS_TRIES = 5;

class JetStreamLog<T> implements DurableLog<T> {
  private readonly js: JetStreamClient;
  private readonly stream: string;
  private readonly subject: string;
  private readonly pending = new Map<string, Uint8Array>();
  private readonly inFlight = new Set<string>();
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private holding = false;
  private readonly onError: (message: string, error?: unknown) => void;

  constructor(
    private readonly bus: NatsBus,
    private readonly options: DurableLogOptions,
  ) {
    this.js = jetstream(bus.connection);
    const token = bus.prefixToken;
    this.stream = token ? `${options.stream}_${token}` : options.stream;
    this.subject = bus.qualify(options.subject);
    this.onError = options.onError ?? (() => undefined);
  }

  /**
   * Creates the stream if it is missing; both producers and consumers call it, so either may start
   * first. The side that sets `maxAgeMs` (the stream's owner) also brings an existing stream's
   * retention to it; the others leave it alone.
   */
  async ensureStream(): Promise<void> {
    const jsm = await this.manager();
    let info;
    try {
      info = await jsm.streams.info(this.stream);
    } catch {
      info = undefined;
    }
    if (info) {
      const wanted = this.options.maxAgeMs === undefined ? undefined : this.options.maxAgeMs * 1_000_000;
      if (wanted !== undefined && info.config.max_age !== wanted) await jsm.streams.update(this.stream, { max_age: wanted });
    } else {
      try {
        await jsm.streams.add({
          name: this.stream,
          subjects: [this.subject],
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          max_age: (this.options.maxAgeMs ?? 7 * DAY_MS) * 1_000_000,
          duplicate_window: DUPLICATE_WINDOW_MS * 1_000_000,
        });
      } catch (error) {
        // Another replica created it between our info and add.
        await jsm.streams.info(this.stream).catch(() => {
          throw error;
        });
      }
    }
  }

  append(id: string, record: T): void {
    const data = encode(record);
    if (this.pending.size > 0 || this.retryTimer) {
      // Keep order roughly and avoid a storm of failing publishes while NATS is away.
      this.hold(id, data);
      return;
    }
    this.publish(id, data);
  }

  private publish(id: string, data: Uint8Array): void {
    this.inFlight.add(id);
    this.js
      .publish(this.subject, data, { msgID: id, timeout: PUBLISH_TIMEOUT_MS })
      .then(
        () => {
          this.pending.delete(id);
          if (this.holding && this.pending.size === 0) {
            this.holding = false;
            this.onError('durable log: NATS takes records again; backlog flushed');
          }
        },
        (error: unknown) => {
          if (!this.holding) {
            this.holding = true;
            this.onError('durable log: NATS did not take a record; holding records in memory to retry', error);
          }
          this.hold(id, data);
        },
      )
      .finally(() => {
        this.inFlight.delete(id);
        // Never after close: a publish that fails at once (the connection is closed by then) would
        // come straight back here, a loop of microtasks that starves the process for ever.
        if (!this.closed && this.pending.size > this.inFlight.size && !this.retryTimer) this.drain();
      });
  }

  /** Re-publishes held records, a bounded number at a time: a backlog must not become a storm. */
  private drain(): void {
    if (this.closed) return;
    for (const [id, data] of this.pending) {
      if (this.inFlight.size >= MAX_IN_FLIGHT) return;
      if (!this.inFlight.has(id)) this.publish(id, data);
    }
  }

  private hold(id: string, data: Uint8Array): void {
    this.pending.set(id, data);
    const max = this.options.maxBacklog ?? 100_000;
    if (this.pending.size > max) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) {
        this.pending.delete(oldest);
        this.onError(`durable log backlog over ${max}: dropped record ${oldest}`);
      }
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.drain();
    }, RETRY_MS);
    this.retryTimer.unref();
  }

  backlog(): number {
    return this.pending.size;
  }

  async close(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.pending.size > 0 || this.inFlight.size > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    this.closed = true;
    clearTimeout(this.retryTimer);
    if (this.pending.size > 0) this.onError(`durable log closed with ${this.pending.size} records not yet stored`);
  }

  /**
   * A continuous pull (`consume`), not a loop of `fetch`es: a fetch that misses two heartbeats (a
   * busy event loop, a slow network) gives up client-side, and the messages already on their way to
   * it were only redelivered after the ack wait — rows ~30 s late. `consume` re-pulls on missed
   * heartbeats and reconnects on the same subscription, so nothing in flight is dropped. Messages are
   * written as they arrive: whatever came in while the previous batch was written is the next batch.
   */
  async consume(durable: string, handler: (records: T[]) => Promise<void>): Promise<DurableConsumer> {
    const name = this.bus.prefixToken ? `${durable}_${this.bus.prefixToken}` : durable;
    await this.ensureConsumer(name);
    let stopped = false;
    let current: ConsumerMessages | undefined;
    const loop = (async () => {
      while (!stopped) {
        try {
          await this.ensureConsumer(name);
          const consumer = await this.js.consumers.get(this.stream, name);
          if (stopped) break;
          current = await consumer.consume({
            max_messages: CONSUME_MAX_MESSAGES,
            expires: CONSUME_EXPIRES_MS,
            // A consumer deleted from under us ends the iterator; the loop creates it again.
            abort_on_missing_resource: true,
          });
          const messages = current;
          background(() => this.watch(messages), () => undefined);
          await this.pump(messages, handler);
        } catch (error) {
          if (stopped) break;
          this.onError('durable log consumer failed; retrying', error);
          await new Promise((r) => setTimeout(r, RETRY_MS));
        }
      }
    })();
    return {
      stop: async () => {
        stopped = true;
        await current?.close();
        await loop;
      },
    };
  }

  private async ensureConsumer(name: string): Promise<void> {
    const jsm = await this.manager();
    let info;
    try {
      info = await jsm.consumers.info(this.stream, name);
    } catch {
      info = undefined;
    }
    if (!info) {
      await jsm.consumers.add(this.stream, {
        durable_name: name,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: ACK_WAIT_MS * 1_000_000,
        max_ack_pending: MAX_ACK_PENDING,
        filter_subject: this.subject,
      });
    } else if (info.config.ack_wait !== ACK_WAIT_MS * 1_000_000) {
      // Consumers made by older versions waited 30 s before redelivering what a crash left unacknowledged.
      await jsm.consumers.update(this.stream, name, { ack_wait: ACK_WAIT_MS * 1_000_000 });
    }
  }

  /** Reads messages as they come and writes them in batches, one batch at a time (back-pressure at a full batch). */
  private async pump(messages: ConsumerMessages, handler: (records: T[]) => Promise<void>): Promise<void> {
    const buffer: JsMsg[] = [];
    let writing: Promise<void> | undefined;
    const flush = (): Promise<void> =>
      (writing ??= (async () => {
        // Let the messages that arrived together join the batch before it is written.
        await new Promise((r) => setImmediate(r));
        while (buffer.length > 0) await this.deliver(buffer.splice(0, FETCH_BATCH), handler);
      })()
        .catch((error: unknown) => this.onError('durable log: a batch could not be acknowledged; it will be redelivered', error))
        .finally(() => {
          writing = undefined;
        }));
    for await (const m of messages) {
      buffer.push(m);
      const batch = flush();
      if (buffer.length >= FETCH_BATCH) await batch;
    }
    // Stopped or ended: what is in hand is written (and acknowledged) before we return.
    while (writing || buffer.length > 0) await flush();
  }

  /** Logs what the consumer reports about itself (missed heartbeats are recovered from, but worth seeing). */
  private async watch(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const s of messages.status()) {
        if (s.type === 'heartbeats_missed' || s.type === 'consumer_deleted' || s.type === 'consumer_not_found' || s.type === 'stream_not_found') {
          this.onError(`durable log consumer: ${s.type}; pulling again`);
        }
      }
    } catch {
      // The status stream ends with the consumer.
    }
  }

  private async deliver(batch: JsMsg[], handler: (records: T[]) => Promise<void>): Promise<void> {
    const records = batch.map((m) => decode<T>(m.data));
    try {
      await handler(records);
    } catch (error) {
      this.onError('durable log handler failed; the records will be redelivered', error);
      for (const m of batch) m.nak(RETRY_MS);
      return;
    }
    // Acknowledged only once written; a crash before this line means redelivery, which the
    // handler must absorb (it is idempotent by record id).
    for (const m of batch) m.ack();
  }

  private manager(): Promise<JetStreamManager> {
    return jetstreamManager(this.bus.connection, { timeout: PUBLISH_TIMEOUT_MS });
  }

  /** For tests: remove the stream (and its consumers). */
  async destroy(): Promise<void> {
    const jsm = await this.manager();
    await jsm.streams.delete(this.stream).catch(() => false);
  }
}

/** Deletes a durable log's stream (tests, uninstall). No-op in process. */
export async function destroyDurableLog(log: DurableLog<unknown>): Promise<void> {
  if (log instanceof JetStreamLog) await log.destroy();
}
