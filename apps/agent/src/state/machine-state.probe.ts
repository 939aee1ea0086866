import { LINUX_PROBES } from './linux/linux-probes';
import { macosProbes } from './macos/macos-probes';
import { type MachineState, type PartialState, UNKNOWN_STATE } from './machine-state';
import type { StateProbe } from './state-probe';
import { REAL_SYSTEM, type SystemAccess } from './system-access';
import { settleWithin } from './with-timeout';

export interface MachineStateProbeOptions {
  /** Which probe set runs; defaults to this process's platform. */
  platform?: NodeJS.Platform;
  /** Commands and files; defaults to the real system. */
  system?: SystemAccess;
  /** Each probe's own limit (default 1 s): the one `read()` waits at most this long. */
  probeTimeoutMs?: number;
  /** A reading is reused this long (default 5 s), so a heartbeat every second spawns nothing most seconds. */
  cacheTtlMs?: number;
  /** Replaces the platform's probes (tests). */
  probes?: readonly StateProbe[];
  /** Camera and microphone probes (`AGENT_CAPTURE_PROBE`, default on): macOS's helper process, Linux's ALSA capture substreams. */
  capture?: boolean;
  /** Where a probe's lasting problem is told (a helper that cannot run). */
  onProblem?: (message: string) => void;
  now?: () => number;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 1_000;
export const DEFAULT_STATE_CACHE_TTL_MS = 5_000;

/** The probes for a platform; none on others (Windows), so everything is `unknown` there. */
export function probesFor(platform: NodeJS.Platform, options: Pick<MachineStateProbeOptions, 'capture' | 'onProblem'> = {}): readonly StateProbe[] {
  const capture = options.capture ?? true;
  if (platform === 'darwin') return macosProbes({ capture, ...(options.onProblem ? { onProblem: options.onProblem } : {}) });
  if (platform === 'linux') return capture ? LINUX_PROBES : LINUX_PROBES.filter((p) => !CAPTURE_PROBES.has(p.name));
  return [];
}

/** Linux's probes of the camera and microphone, left out when capture probing is off. */
const CAPTURE_PROBES = new Set(['linux-alsa-capture']);

/**
 * Reads the machine's state: every probe at once, each bounded by its timeout, so `read()` never
 * throws and never takes much longer than one timeout. A probe that fails, hangs or prints
 * something unparseable leaves its fields `unknown`.
 */
export class MachineStateProbe {
  private readonly system: SystemAccess;
  private readonly probes: readonly StateProbe[];
  private readonly timeoutMs: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private cached: { at: number; state: MachineState } | undefined;
  private pending: Promise<MachineState> | undefined;

  constructor(options: MachineStateProbeOptions = {}) {
    this.system = options.system ?? REAL_SYSTEM;
    this.probes = options.probes ?? probesFor(options.platform ?? process.platform, options);
    this.timeoutMs = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
    this.ttlMs = options.cacheTtlMs ?? DEFAULT_STATE_CACHE_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /** Stops the probes' helpers (the agent's shutdown). */
  close(): void {
    for (const probe of this.probes) probe.close?.();
  }

  read(): Promise<MachineState> {
    if (this.cached !== undefined && this.now() - this.cached.at < this.ttlMs) {
      return Promise.resolve({ ...this.cached.state });
    }
    // Callers that arrive while a reading is under way share it rather than spawn a second set.
    this.pending ??= this.readAll().then((state) => {
      this.cached = { at: this.now(), state };
      this.pending = undefined;
      return { ...state };
    });
    return this.pending;
  }

  private async readAll(): Promise<MachineState> {
    const results = await Promise.all(
      this.probes.map((probe) => settleWithin(() => probe.read(this.system, this.timeoutMs), this.timeoutMs)),
    );
    return mergeKnown(results);
  }
}

/** Fields in probe order; the first known value of each wins, and `unknown` never overwrites. */
export function mergeKnown(results: ReadonlyArray<PartialState | undefined>): MachineState {
  const state: MachineState = { ...UNKNOWN_STATE };
  const known = new Set<keyof MachineState>();
  for (const result of results) {
    if (result === undefined) continue;
    for (const key of Object.keys(result) as Array<keyof MachineState>) {
      const value = result[key];
      if (value === undefined || value === 'unknown' || known.has(key) || !(key in UNKNOWN_STATE)) continue;
      if (typeof value === 'number' && !Number.isFinite(value)) continue;
      assign(state, key, value);
      known.add(key);
    }
  }
  return state;
}

function assign<K extends keyof MachineState>(state: MachineState, key: K, value: MachineState[K]): void {
  state[key] = value;
}
