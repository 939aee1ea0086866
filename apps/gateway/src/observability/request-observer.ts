import { Injectable, Inject, type OnApplicationShutdown } from '@nestjs/common';
import { UsageRecorder } from '../usage/usage-recorder';
import type { RequestOutcome } from '../usage/request-outcome';
import { gatewayMetrics } from './gateway-metrics';
import type { RequestLog } from './request-log';

export const REQUEST_LOG = Symbol('REQUEST_LOG');

/** What happens when a request ends: its usage record, its metrics and its log line. */
@Injectable()
export class RequestObserver implements OnApplicationShutdown {
  private readonly metrics = gatewayMetrics();

  constructor(
    private readonly usage: UsageRecorder,
    @Inject(REQUEST_LOG) private readonly log: RequestLog,
  ) {}

  started(): void {
    this.metrics.inFlight.inc();
  }

  finished(outcome: RequestOutcome): void {
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
  }

  onApplicationShutdown(): void {
    this.log.close();
  }
}
