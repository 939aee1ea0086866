import { SUBJECTS, type Bus, type UsageRecord } from '@iir/contracts';
import { BUS, createDurableLog, JsonLogger, type DurableLog } from '@iir/platform';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';

/** Must match what `auth` consumes (the stream name is part of the contract, like a subject). */
export const USAGE_STREAM = 'IIR_USAGE';

/**
 * Sends one usage record per finished request to the usage stream (JetStream over NATS: stored even
 * while `auth` is down; held in memory and retried while NATS itself is away). Never blocks or
 * fails the request it describes.
 */
@Injectable()
export class UsageRecorder implements OnModuleInit, OnApplicationShutdown {
  private log: DurableLog<UsageRecord> | undefined;
  private readonly early: UsageRecord[] = [];

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    private readonly logger: JsonLogger,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      this.log = await createDurableLog<UsageRecord>(this.bus, {
        stream: USAGE_STREAM,
        subject: SUBJECTS.auth.usageRecorded,
        onError: (message, error) => this.logger.write('warn', message, error ? { err: error } : {}),
      });
    } catch (error) {
      // JetStream missing or NATS away at start: the log retries creation on the first record.
      this.logger.write('warn', 'usage stream not ready; records wait in memory', { err: error });
    }
  }

  record(usage: UsageRecord): void {
    if (this.log) {
      this.log.append(usage.requestId, usage);
      return;
    }
    this.early.push(usage);
    if (this.early.length === 1) void this.retryOpen();
  }

  private async retryOpen(): Promise<void> {
    while (!this.log) {
      await new Promise((r) => setTimeout(r, 1_000).unref());
      await this.onModuleInit();
    }
    for (const u of this.early.splice(0)) this.log.append(u.requestId, u);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.log?.close();
  }
}
