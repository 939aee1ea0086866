import { writeSync } from 'node:fs';
import type { LoggerService, LogLevel as NestLogLevel } from '@nestjs/common';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogSink = (line: string) => void;
/** Nest's start-up chatter: useful when debugging, noise otherwise. */
const QUIET_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestMicroservice', 'NestApplication']);

/**
 * Lines leave in one write per `FLUSH_MS` (or per `FLUSH_BYTES`, whichever comes first): a request
 * log line per request must not cost a syscall per request. What is still pending at exit is
 * written synchronously (a kill -9 can lose the last few milliseconds of lines, nothing else).
 */
const FLUSH_MS = 10;
const FLUSH_BYTES = 64 * 1024;
let pending: string[] = [];
let pendingBytes = 0;
let timer: NodeJS.Timeout | undefined;
function flush(): void {
  clearTimeout(timer);
  timer = undefined;
  if (pending.length === 0) return;
  const out = pending.join('\n') + '\n';
  pending = [];
  pendingBytes = 0;
  process.stdout.write(out);
}
const EXIT_HOOK = Symbol.for('iir.logger.exit-flush');
const g = globalThis as typeof globalThis & { [EXIT_HOOK]?: () => void };
if (g[EXIT_HOOK]) process.off('exit', g[EXIT_HOOK]);
g[EXIT_HOOK] = () => {
  if (pending.length > 0) writeSync(1, pending.join('\n') + '\n');
  pending = [];
  pendingBytes = 0;
};
process.once('exit', g[EXIT_HOOK]);
const stdout: LogSink = (line) => {
  pending.push(line);
  pendingBytes += line.length;
  if (pendingBytes >= FLUSH_BYTES) flush();
  else timer ??= setTimeout(flush, FLUSH_MS);
};

/**
 * One JSON object per line on stdout: `{"time","level","service","context","msg",...fields}`.
 * Also Nest's logger, so framework messages come out in the same shape.
 */
export class JsonLogger implements LoggerService {
  private readonly min: number;

  constructor(
    readonly service: string,
    level: LogLevel = 'info',
    private readonly sink: LogSink = stdout,
  ) {
    this.min = RANK[level];
  }

  isEnabled(level: LogLevel): boolean {
    return RANK[level] >= this.min;
  }

  write(level: LogLevel, msg: string, fields?: Record<string, unknown>, context?: string): void {
    if (RANK[level] < this.min) return;
    const line: Record<string, unknown> = { time: new Date().toISOString(), level, service: this.service };
    if (context) line['context'] = context;
    line['msg'] = msg;
    let hasError = false;
    if (fields) {
      Object.assign(line, fields);
      for (const key in fields) if (fields[key] instanceof Error) hasError = true;
    }
    // A replacer makes stringify call back for every key: only lines that carry an Error pay for it.
    this.sink(hasError ? JSON.stringify(line, errorReplacer) : JSON.stringify(line));
  }

  /**
   * A line built whole by its caller, in the logger's shape (`time`, `level`, `service`, `context`,
   * `msg`, then its fields): one object literal with a fixed shape serializes faster than a line
   * assembled key by key. For lines written per request; the caller puts no Error in it.
   */
  writeLine(level: LogLevel, line: object): void {
    if (RANK[level] < this.min) return;
    this.sink(JSON.stringify(line));
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.nest('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.nest('debug', message, rest);
  }
  log(message: unknown, ...rest: unknown[]): void {
    this.nest('info', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.nest('warn', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.nest('error', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.nest('error', message, rest);
  }
  setLogLevels(_levels: NestLogLevel[]): void {
    // Level comes from LOG_LEVEL at boot.
  }

  /** Nest calls `log(message, context)` or `error(message, stack, context)`. */
  private nest(level: LogLevel, message: unknown, rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    if (level === 'info' && context !== undefined && QUIET_CONTEXTS.has(context)) level = 'debug';
    if (RANK[level] < this.min) return;
    const fields: Record<string, unknown> = {};
    if (level === 'error' && rest.length > 1 && typeof rest[0] === 'string') fields['stack'] = rest[0];
    if (message instanceof Error) {
      fields['err'] = message;
      this.write(level, message.message, fields, context);
    } else if (typeof message === 'object' && message !== null) {
      this.write(level, '', { ...(message as Record<string, unknown>), ...fields }, context);
    } else {
      this.write(level, String(message), Object.keys(fields).length ? fields : undefined, context);
    }
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}
