import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { UsageRecord } from '@iir/contracts';
import type { JsonLogger } from '@iir/platform';

export interface RequestLogSettings {
  /** Log one line per request on stdout (at info). */
  stdout: boolean;
  /** Also append to `<dir>/<name>-YYYY-MM-DD<ext>`, a new file each day (UTC). */
  file: string | undefined;
}

/**
 * One structured JSON line per finished request: request id, key id (never the secret), model,
 * target, status, latency, time to first token, tokens, cache hit. Logged at `info`, so LOG_LEVEL
 * above it turns it off on stdout; the file, when asked for, gets every line.
 */
export class RequestLog {
  private stream: WriteStream | undefined;
  private day = '';

  constructor(
    private readonly logger: JsonLogger,
    private readonly settings: RequestLogSettings,
  ) {}

  write(record: UsageRecord, extra: { attempts: number; cache: string }): void {
    if (!this.settings.file && !(this.settings.stdout && this.logger.isEnabled('info'))) return;
    // One literal, one shape: the line is serialized per request.
    const line = {
      time: new Date().toISOString(),
      level: 'info',
      service: this.logger.service,
      context: 'RequestLog',
      msg: 'request',
      requestId: record.requestId,
      clientRequestId: record.clientRequestId ?? null,
      keyId: record.keyId,
      model: record.model,
      target: record.target,
      provider: record.provider,
      status: record.status,
      errorCode: record.errorCode,
      latencyMs: record.latencyMs,
      ttftMs: record.ttftMs,
      promptTokens: record.promptTokens,
      completionTokens: record.completionTokens,
      cache: extra.cache,
      cacheHit: record.cacheHit,
      stream: record.stream,
      attempts: extra.attempts,
      policy: record.policy ?? null,
      ...(record.routeTier ? { routeTier: record.routeTier, routeLabel: record.routeLabel, routeConfidence: record.routeConfidence, routeComplexity: record.routeComplexity } : {}),
    };
    if (this.settings.stdout) this.logger.writeLine('info', line);
    if (this.settings.file) this.toFile(line);
  }

  private toFile(line: { time: string }): void {
    const day = line.time.slice(0, 10);
    if (day !== this.day || !this.stream) {
      this.stream?.end();
      const file = this.settings.file ?? '';
      const ext = path.extname(file);
      const target = `${file.slice(0, file.length - ext.length)}-${day}${ext || '.log'}`;
      mkdirSync(path.dirname(target), { recursive: true });
      this.stream = createWriteStream(target, { flags: 'a' });
      this.stream.on('error', (error) => this.logger.write('error', 'request log file failed', { err: error, file: target }));
      this.day = day;
    }
    this.stream.write(JSON.stringify(line) + '\n');
  }

  close(): void {
    this.stream?.end();
  }
}
