import { execFile } from 'node:child_process';
import os from 'node:os';
import type { GpuInfo, HardwareInfo } from '@iir/contracts';

/** Runs a command with a timeout; rejects when it is missing, fails or takes too long. */
export type CommandRunner = (command: string, args: string[], timeoutMs: number) => Promise<string>;

export const runCommand: CommandRunner = (command, args, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 1024 * 1024 }, (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout);
    });
  });

/** What discovery reads about the host; the defaults are the real machine, tests pass their own. */
export interface ProbeHost {
  platform: NodeJS.Platform;
  arch: string;
  hostname: string;
  cpus: Array<{ model: string }>;
  totalMemoryBytes: number;
  run: CommandRunner;
}

export interface ProbeOptions {
  /** The `nvidia-smi` to run (`REGISTRY_NVIDIA_SMI`): a name looked up on PATH, or a path. */
  nvidiaSmi: string;
  timeoutMs: number;
}

export function realHost(): ProbeHost {
  return {
    platform: process.platform,
    arch: process.arch,
    hostname: os.hostname(),
    cpus: os.cpus(),
    totalMemoryBytes: os.totalmem(),
    run: runCommand,
  };
}

/** Share of memory a model may take: VRAM keeps room for the KV cache, RAM for everything else. */
export const HEADROOM = { gpu: 0.9, unified: 0.7, cpu: 0.5 } as const;

const GB = 1024 ** 3;
const round1 = (n: number): number => Math.round(n * 10) / 10;

/**
 * Finds CPU, RAM and accelerators: NVIDIA GPUs through `nvidia-smi`, Apple Silicon through
 * `sysctl` on macOS, else CPU only. A missing or failing tool is a note, never an error.
 */
export async function probeHardware(options: ProbeOptions, host: ProbeHost = realHost()): Promise<HardwareInfo> {
  const notes: string[] = [];
  let cpuModel = host.cpus[0]?.model.trim() ?? 'unknown';
  let memoryGb = round1(host.totalMemoryBytes / GB);
  const gpus: GpuInfo[] = [];

  try {
    const out = await host.run(options.nvidiaSmi, ['--query-gpu=name,memory.total', '--format=csv,noheader,nounits'], options.timeoutMs);
    gpus.push(...parseNvidiaSmi(out));
    if (gpus.length === 0) notes.push(`${options.nvidiaSmi}: no GPU listed`);
  } catch (error) {
    notes.push(`${options.nvidiaSmi}: ${describeFailure(error)}`);
  }

  let apple = false;
  if (host.platform === 'darwin') {
    try {
      const brand = (await host.run('sysctl', ['-n', 'machdep.cpu.brand_string'], options.timeoutMs)).trim();
      const bytes = Number((await host.run('sysctl', ['-n', 'hw.memsize'], options.timeoutMs)).trim());
      if (brand) cpuModel = brand;
      if (Number.isFinite(bytes) && bytes > 0) memoryGb = round1(bytes / GB);
      if (/^Apple /.test(brand)) {
        apple = true;
        gpus.push({ name: brand, memoryGb, vendor: 'apple' });
      }
    } catch (error) {
      notes.push(`sysctl: ${describeFailure(error)}`);
    }
  }

  const nvidia = gpus.filter((g) => g.vendor === 'nvidia');
  const accelerator: HardwareInfo['accelerator'] = nvidia.length > 0 ? 'gpu' : apple ? 'unified' : 'cpu';
  // One model on one GPU: the largest card decides (tensor parallelism across cards is not assumed).
  const base = accelerator === 'gpu' ? Math.max(...nvidia.map((g) => g.memoryGb)) : memoryGb;
  return {
    host: host.hostname,
    platform: host.platform,
    arch: host.arch,
    cpuModel,
    cpuCores: host.cpus.length,
    memoryGb,
    gpus,
    accelerator,
    usableMemoryGb: round1(base * HEADROOM[accelerator]),
    notes,
  };
}

/** `NVIDIA A100-SXM4-80GB, 81920` per line (MiB). */
export function parseNvidiaSmi(out: string): GpuInfo[] {
  return out
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .flatMap((line) => {
      const comma = line.lastIndexOf(',');
      const mib = Number(line.slice(comma + 1).trim());
      const name = line.slice(0, comma).trim();
      return comma > 0 && name && Number.isFinite(mib) && mib > 0 ? [{ name, memoryGb: round1(mib / 1024), vendor: 'nvidia' as const }] : [];
    });
}

function describeFailure(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string };
  if (e.code === 'ENOENT') return 'not found';
  if (e.killed || e.signal === 'SIGTERM') return 'timed out';
  return (e.message ?? String(error)).split('\n')[0] ?? 'failed';
}
