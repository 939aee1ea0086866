import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** The repository root (this file sits in libs/testing/src). */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

/** One JSON log line of a service (`{"time","level","service","msg",...fields}`). */
export type LogLine = Record<string, unknown> & { level?: string; service?: string; msg?: string };

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  /**
   * The child's environment, on top of a minimal base (PATH, HOME, TMPDIR, LANG, TZ): the test
   * runner's own variables are not inherited, so a stray NATS_URL or *_PORT cannot leak in.
   * A variable set to `undefined` is left out.
   */
  env?: Record<string, string | undefined>;
  /** Working directory (default: the repository root, as for `npm start`). */
  cwd?: string;
  /** Name used in messages (default: the app name). */
  label?: string;
}

const BASE_ENV_KEYS = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'SYSTEMROOT'];
const OUTPUT_TAIL_CHARS = 8_000;

/** Every child still running, so an exiting test process never leaves one behind. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

type LineListener = (line: LogLine) => void;

/**
 * A built service (`dist/apps/<app>/main.js`) running as a real child process: its output is
 * captured, its JSON log lines parsed, and it can be awaited, stopped (SIGTERM) or killed (SIGKILL).
 */
export class ServiceProcess {
  readonly label: string;
  readonly exited: Promise<ExitStatus>;
  private readonly child: ChildProcess;
  private readonly lines: LogLine[] = [];
  private readonly listeners = new Set<LineListener>();
  private readonly exitListeners = new Set<(status: ExitStatus) => void>();
  private combined = '';
  private out = '';
  private err = '';
  private pending = '';
  private status: ExitStatus | undefined;

  private constructor(
    readonly app: string,
    options: SpawnOptions,
  ) {
    this.label = options.label ?? app;
    const script = path.join(REPO_ROOT, 'dist', 'apps', app, 'main.js');
    installExitHook();
    this.child = spawn(process.execPath, ['--enable-source-maps', script], {
      cwd: options.cwd ?? REPO_ROOT,
      env: buildEnv(options.env ?? {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(this.child);
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.err += chunk;
      this.combined += chunk;
    });
    this.exited = new Promise<ExitStatus>((resolve) => {
      const done = (status: ExitStatus): void => {
        if (this.status) return;
        live.delete(this.child);
        this.status = status;
        for (const listener of this.exitListeners) listener(status);
        resolve(status);
      };
      // 'close' waits for stdio to end, so all output is captured by the time we resolve.
      this.child.once('close', (code, signal) => done({ code, signal }));
      this.child.once('error', (error) => {
        this.combined += `\n[spawn error] ${error.message}\n`;
        done({ code: null, signal: null });
      });
    });
  }

  /** Starts `node dist/apps/<app>/main.js`. */
  static spawn(app: string, options: SpawnOptions = {}): ServiceProcess {
    return new ServiceProcess(app, options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
  /** How it exited, once it has. */
  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }
  get running(): boolean {
    return this.status === undefined;
  }
  get stdout(): string {
    return this.out;
  }
  get stderr(): string {
    return this.err;
  }
  /** stdout and stderr interleaved as they arrived. */
  get output(): string {
    return this.combined;
  }
  /** The JSON lines logged on stdout so far. */
  get logs(): readonly LogLine[] {
    return this.lines;
  }

  /** Resolves with the first log line (past or future) that matches; rejects if the process exits first. */
  waitForLog(match: (line: LogLine) => boolean, { timeoutMs = 15_000, what = 'a matching log line' } = {}): Promise<LogLine> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<LogLine>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.listeners.delete(onLine);
        this.exitListeners.delete(onExit);
      };
      const onLine: LineListener = (line) => {
        if (!match(line)) return;
        cleanup();
        resolve(line);
      };
      const onExit = (status: ExitStatus): void => {
        cleanup();
        reject(new Error(`${this.label} ${describeExit(status)} before logging ${what}\n${this.describe()}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.label} did not log ${what} within ${timeoutMs} ms\n${this.describe()}`));
      }, timeoutMs);
      if (this.status) return onExit(this.status);
      this.listeners.add(onLine);
      this.exitListeners.add(onExit);
    });
  }

  /** Waits for `"<service> listening","port":N` and returns N (the service defaults to the app). */
  async waitForListening(service: string = this.app, timeoutMs = 15_000): Promise<number> {
    const line = await this.waitForLog((l) => l.msg === `${service} listening` && typeof l['port'] === 'number', {
      timeoutMs,
      what: `"${service} listening"`,
    });
    return line['port'] as number;
  }

  /**
   * Waits for the listening line, then for one HTTP answer (any status) on that port, and returns
   * the port. The line is logged before the service has finished starting (its SIGTERM handler is
   * installed a moment later), so a test that signals it or counts on it being fully up waits here.
   */
  async waitForReady(service: string = this.app, { path: probePath = '/metrics', timeoutMs = 15_000 } = {}): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    const port = await this.waitForListening(service, timeoutMs);
    let last = '';
    for (;;) {
      if (this.status) throw new Error(`${this.label} ${describeExit(this.status)} while starting\n${this.describe()}`);
      try {
        await fetch(`http://127.0.0.1:${port}${probePath}`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.arrayBuffer());
        return port;
      } catch (error) {
        last = (error as Error).message;
      }
      if (Date.now() > deadline) {
        throw new Error(`${service} on port ${port} did not answer HTTP within ${timeoutMs} ms (${last})\n${this.describe()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Resolves when the process exits; rejects (leaving it running) if it does not within `timeoutMs`. */
  async waitForExit(timeoutMs = 15_000): Promise<ExitStatus> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.label} still running ${timeoutMs} ms later\n${this.describe()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * SIGTERM, then waits for the exit. If it has not exited within `timeoutMs` it is SIGKILLed and
   * this rejects: a service that ignores SIGTERM is a bug worth failing on.
   */
  async stop(timeoutMs = 12_000): Promise<ExitStatus> {
    if (this.status) return this.status;
    this.child.kill('SIGTERM');
    try {
      return await this.waitForExit(timeoutMs);
    } catch (error) {
      await this.kill();
      throw error;
    }
  }

  /** SIGKILL, and waits for the exit. */
  async kill(): Promise<ExitStatus> {
    if (this.status) return this.status;
    this.child.kill('SIGKILL');
    return this.exited;
  }

  /** Label, pid, state and the tail of its output: for assertion messages. */
  describe(): string {
    const state = this.status ? describeExit(this.status) : 'running';
    const tail =
      this.combined.length > OUTPUT_TAIL_CHARS
        ? `…(${this.combined.length - OUTPUT_TAIL_CHARS} earlier chars)\n${this.combined.slice(-OUTPUT_TAIL_CHARS)}`
        : this.combined;
    return `--- ${this.label} (pid ${this.child.pid ?? '?'}, ${state}) output ---\n${tail || '(none)'}\n--- end ${this.label} ---`;
  }

  private onStdout(chunk: string): void {
    this.out += chunk;
    this.combined += chunk;
    this.pending += chunk;
    let newline: number;
    while ((newline = this.pending.indexOf('\n')) >= 0) {
      const text = this.pending.slice(0, newline).trim();
      this.pending = this.pending.slice(newline + 1);
      const line = parseLine(text);
      if (!line) continue;
      this.lines.push(line);
      for (const listener of [...this.listeners]) listener(line);
    }
  }
}

/**
 * The processes of one test file: spawn through it, and call `killAll()` in `afterAll`/`afterEach`
 * so nothing outlives the tests, whatever happened in them.
 */
export class ServiceProcesses {
  private readonly all = new Set<ServiceProcess>();

  spawn(app: string, options: SpawnOptions = {}): ServiceProcess {
    const p = ServiceProcess.spawn(app, options);
    this.all.add(p);
    return p;
  }

  /** Everything spawned here, for failure messages. */
  describe(): string {
    return [...this.all].map((p) => p.describe()).join('\n');
  }

  /** SIGKILLs whatever is still running and waits for the exits. */
  async killAll(): Promise<void> {
    const all = [...this.all];
    this.all.clear();
    await Promise.all(all.map((p) => p.kill()));
  }
}

export function describeExit(status: ExitStatus): string {
  return status.signal ? `was killed by ${status.signal}` : `exited with code ${status.code ?? '?'}`;
}

function buildEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of BASE_ENV_KEYS) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

function parseLine(text: string): LogLine | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as LogLine) : undefined;
  } catch {
    return undefined;
  }
}
