import { STREAMS, SUBJECTS, type Bus, type UsageRecord } from '@iir/contracts';
import { BUS, createDurableLog, JsonLogger, type DurableConsumer } from '@iir/platform';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { UsageLedger } from './usage-ledger';

export const USAGE_CONSUMER = 'auth_ledger';

/**
 * Feeds the ledger from the usage stream: a durable JetStream consumer over NATS (records published
 * while auth was down are waiting for it), the plain event in process. A batch is acknowledged only
 * after it is written; on shutdown the batches in hand are written before the database closes.
 */
@Injectable()
export class UsageConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer: DurableConsumer | undefined;

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    private readonly ledger: UsageLedger,
    private readonly logger: JsonLogger,
    @Inject('USAGE_STREAM_MAX_AGE_MS') private readonly maxAgeMs: number,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // A message is a batch of records.
    const log = await createDurableLog<UsageRecord[]>(this.bus, {
      stream: STREAMS.usage,
      subject: SUBJECTS.auth.usageRecorded,
      maxAgeMs: this.maxAgeMs,
      onError: (message, error) => this.logger.write('warn', message, error ? { err: error } : {}),
    });
    this.consumer = await log.consume(USAGE_CONSUMER, (messages) => this.ledger.write(messages.flat()));
    this.logger.write('info', 'usage ledger consuming', { bus: this.bus.kind });
  }

  /** Before the database closes (its module's `onApplicationShutdown`): batches in hand are written first. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
