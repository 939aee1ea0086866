import { randomUUID } from 'node:crypto';
import { STREAMS, SUBJECTS, type Bus, type UsageRecord } from '@iir/contracts';
import { background, BUS, createDurableLog, JsonLogger, type DurableLog } from '@iir/platform';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';

/**
 * Records wait at most this long (or until a batch is full) before they are published together.
 * In process the batch goes straight to the SQLite ledger, where a row costs less the more rows one
 * statement carries (a one-off probe of `UsageLedger.write`: ≈ 35 µs a row in batches of 25, 19 µs
 * in batches of 250), so it waits longer.
 */
const BATCHING = { nats: { ms: 10, max: 256 }, 'in-process': { ms: 100, max: 1_000 } } as const;

/**
 * Sends one usage record per finished request to the usage stream (JetStream over NATS: stored even
 * while `auth` is down; held in memory and retried while NATS itself is away). Never blocks or
 * fails the request it describes. Records leave in batches (over NATS one stream message per
 * ≤ 10 ms or 256 records, with a batch id JetStream de-duplicates on retry; in process per ≤ 100 ms
 * or 1 000): one acknowledged publish per request would cost more than the request itself.
 */
@Injectable()
export class UsageRecorder implements OnModuleInit, OnApplicationShutdown {
  private log: DurableLog<UsageRecord[]> | undefined;
  private readonly early: UsageRecord[][] = [];
  private batch: UsageRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly batching: (typeof BATCHING)[keyof typeof BATCHING];

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    private readonly logger: JsonLogger,
  ) {
    this.batching = BATCHING[bus.kind];
  }

  async onModuleInit(): Promise<void> {
    try {
      this.log = await createDurableLog<UsageRecord[]>(this.bus, {
        stream: STREAMS.usage,
        subject: SUBJECTS.auth.usageRecorded,
        onError: (message, error) => this.logger.write('warn', message, error ? { err: error } : {}),
      });
    } catch (error) {
      // JetStream missing or NATS away at start: the log retries creation on the first record.
      this.logger.write('warn', 'usage stream not ready; records wait in memory', { err: error });
    }
  }

  record(usage: UsageRecord): void {
    this.batch.push(usage);
    if (this.batch.length >= this.batching.max) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.batching.ms);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    if (this.log) {
      this.log.append(randomUUID(), batch);
      return;
    }
    this.early.push(batch);
    if (this.early.length === 1) background(() => this.retryOpen(), (err) => this.logger.write('warn', 'usage stream retry failed', { err }));
  }

  private async retryOpen(): Promise<void> {
    while (!this.log && !this.closed) {
      await new Promise((r) => setTimeout(r, 1_000).unref());
      await this.onModuleInit();
    }
    const log = this.log;
    if (log) for (const batch of this.early.splice(0)) log.append(randomUUID(), batch);
  }

  async onApplicationShutdown(): Promise<void> {
    this.flush();
    this.closed = true;
    await this.log?.close();
  }
}
