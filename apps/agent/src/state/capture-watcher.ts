import type { ChildProcess } from 'node:child_process';
import { parseCaptureLine } from './capture-line.parser';
import type { PartialState } from './machine-state';
import type { StateProbe } from './state-probe';
import type { SystemAccess } from './system-access';

export interface CaptureWatcherOptions {
  command: string;
  args: readonly string[];
  /** How often the helper prints a reading. */
  intervalMs: number;
  /** A reading older than this tells nothing (default: three intervals). */
  staleAfterMs?: number;
  /** Waits before each restart of a helper that ended, the last one repeated (default 1 s, 5 s, 30 s, 5 min). */
  restartDelaysMs?: readonly number[];
  /** A helper that ran this long before it ended starts again after the first delay (default 60 s). */
  healthyAfterMs?: number;
  now?: () => number;
  /** A helper that could not start or ended; at most once per `problemEveryMs` (default 10 min). */
  onProblem?: (message: string) => void;
  problemEveryMs?: number;
}

const MAX_LINE = 64 * 1024;

/**
 * A long-lived helper process that prints the camera and microphone state as JSON lines (macOS's
 * `osascript` one), read as a probe: `read()` spawns nothing, it answers the latest line while it is
 * fresh and `unknown` otherwise. The helper starts on the first read (needs `system.spawn`: a test's
 * fake system without one gets `unknown`), is restarted with backoff whenever it ends, and is
 * stopped by `close()`. Its problems (no `osascript`, a crash) only ever make the fields `unknown`.
 */
export class CaptureWatcher implements StateProbe {
  readonly name = 'capture-devices';
  private child: ChildProcess | undefined;
  private startedAt = 0;
  private lastLineAt = 0;
  private latest: { at: number; state: PartialState } | undefined;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** The current helper was ended for silence. */
  private silent = false;
  private lastProblemAt = -Infinity;
  private firstLine: Array<() => void> = [];
  private readonly now: () => number;

  constructor(private readonly options: CaptureWatcherOptions) {
    this.now = options.now ?? Date.now;
  }

  async read(system: SystemAccess, timeoutMs: number): Promise<PartialState> {
    if (!system.spawn || this.closed) return {};
    if (!this.child && !this.restartTimer) this.start(system);
    // Alive but silent for longer than a reading lasts (stuck in AVFoundation, say): end it, so it is started afresh.
    if (this.child && this.now() - this.lastLineAt > this.staleAfterMs()) {
      this.silent = true;
      this.child.kill('SIGKILL');
    }
    // The first reading after a start takes the helper's own start-up: wait for it, within the probe's timeout.
    if (!this.fresh() && this.child) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          const at = this.firstLine.indexOf(done);
          if (at >= 0) this.firstLine.splice(at, 1);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        timer.unref();
        this.firstLine.push(done);
      });
    }
    return this.fresh() ? { ...(this.latest as { state: PartialState }).state } : {};
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    this.child = undefined;
    child?.kill('SIGTERM');
    this.wake();
  }

  private staleAfterMs(): number {
    return this.options.staleAfterMs ?? 3 * this.options.intervalMs;
  }

  private fresh(): boolean {
    return this.latest !== undefined && this.now() - this.latest.at <= this.staleAfterMs();
  }

  private start(system: SystemAccess): void {
    let child: ChildProcess;
    // Before the spawn: a spawn that throws must not look like the end of a long, healthy run.
    this.startedAt = this.now();
    this.lastLineAt = this.startedAt;
    this.silent = false;
    try {
      child = (system.spawn as NonNullable<SystemAccess['spawn']>)(this.options.command, this.options.args);
    } catch (error) {
      this.ended(system, `could not start ${this.options.command}: ${(error as Error).message}`);
      return;
    }
    this.child = child;
    // The agent's lifetime is its server and bus: the helper must not keep it running.
    child.unref();
    let buffered = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (piece: string) => {
      buffered += piece;
      let at: number;
      while ((at = buffered.indexOf('\n')) >= 0) {
        const state = parseCaptureLine(buffered.slice(0, at).trim());
        buffered = buffered.slice(at + 1);
        if (state) {
          this.lastLineAt = this.now();
          this.latest = { at: this.lastLineAt, state };
          this.wake();
        }
      }
      if (buffered.length > MAX_LINE) buffered = '';
    });
    (child.stdout as { unref?: () => void } | null)?.unref?.();
    let reported = false;
    const end = (why: string | undefined): void => {
      if (reported) return;
      reported = true;
      if (this.child === child) this.child = undefined;
      this.ended(system, why);
    };
    child.on('error', (error) => end(`${this.options.command} failed: ${error.message}`));
    child.on('exit', (code, signal) => {
      // Code 0 after a healthy run is the helper's own hourly restart (it bounds what a long-lived process may accumulate).
      if (code === 0 && this.now() - this.startedAt >= (this.options.healthyAfterMs ?? 60_000)) end(undefined);
      else end(this.silent ? `${this.options.command} printed nothing for ${Math.round(this.staleAfterMs() / 1000)} s` : `${this.options.command} ended (${signal ?? `code ${code}`})`);
    });
  }

  /** `why` undefined: a planned end, restarted at once and told to nobody. */
  private ended(system: SystemAccess, why: string | undefined): void {
    this.wake();
    if (this.closed) return;
    if (this.now() - this.startedAt >= (this.options.healthyAfterMs ?? 60_000)) this.failures = 0;
    const delays = this.options.restartDelaysMs ?? [1_000, 5_000, 30_000, 300_000];
    const delay = why === undefined ? 0 : (delays[Math.min(this.failures, delays.length - 1)] as number);
    if (why !== undefined) this.failures++;
    if (why !== undefined && this.now() - this.lastProblemAt >= (this.options.problemEveryMs ?? 600_000)) {
      this.lastProblemAt = this.now();
      this.options.onProblem?.(`camera/microphone helper: ${why}; camera_in_use and microphone_in_use are unknown until it runs again (next try in ${Math.round(delay / 1000)} s)`);
    }
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.closed) this.start(system);
    }, delay);
    this.restartTimer.unref();
  }

  private wake(): void {
    const waiting = this.firstLine;
    this.firstLine = [];
    for (const done of waiting) done();
  }
}
