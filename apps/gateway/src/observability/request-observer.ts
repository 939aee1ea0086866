import { Injectable, Inject, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import { UsageRecorder } from '../usage/usage-recorder';
import type { RequestOutcome } from '../usage/request-outcome';
import { gatewayMetrics } from './gateway-metrics';
import type { RequestLog } from './request-log';

export const REQUEST_LOG = Symbol('REQUEST_LOG');

/** After the HTTP drain, how long requests whose connections were closed get to record their outcome. */
const FINISH_WAIT_MS = 5_000;

/** What happens when a request ends: its usage record, its metrics and its log line. */
@Injectable()
export class RequestObserver implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly metrics = gatewayMetrics();
  private open = 0;
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly usage: UsageRecorder,
    @Inject(REQUEST_LOG) private readonly log: RequestLog,
  ) {}

  started(): void {
    this.open++;
    this.metrics.inFlight.inc();
  }

  finished(outcome: RequestOutcome): void {
    this.open--;
    this.metrics.inFlight.dec();
    const record = outcome.toRecord();
    this.usage.record(record);
    const model = outcome.resolvedModel ?? '(unresolved)';
    this.metrics.requests.inc({ model, target: record.target ?? 'none', status: String(record.status), cache: outcome.cacheResult });
    this.metrics.duration.observe({ model, stream: String(record.stream) }, record.latencyMs / 1000);
    if (record.ttftMs !== null && record.status < 400) this.metrics.ttft.observe({ model }, record.ttftMs / 1000);
    if (record.promptTokens) this.metrics.tokens.inc({ model, direction: 'prompt' }, record.promptTokens);
    if (record.completionTokens) this.metrics.tokens.inc({ model, direction: 'completion' }, record.completionTokens);
    this.log.write(record, { attempts: outcome.attempts, cache: outcome.cacheResult });
    if (this.open === 0) for (const wake of this.idle) wake();
  }

  /**
   * Shutdown, after the HTTP drain: streams cut at the end of the grace period are still unwinding
   * (their upstream call aborting). Their records are made before the usage recorder flushes.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.open === 0) return;
    let wake = (): void => undefined;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      wake = resolve;
      this.idle.add(wake);
      timer = setTimeout(resolve, FINISH_WAIT_MS);
    });
    clearTimeout(timer);
    this.idle.delete(wake);
  }

  onApplicationShutdown(): void {
    this.log.close();
  }
}
