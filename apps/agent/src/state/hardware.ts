import * as os from 'node:os';
import type { AgentHardware } from '@iir/contracts';
import { parseSysctlHardware } from './macos/sysctl-hardware.parser';
import { REAL_SYSTEM, type SystemAccess } from './system-access';
import { bytesToGb } from './units';
import { settleWithin } from './with-timeout';

/** What `os` tells; injected so a test can play a Mac or a GPU box. */
export interface HostInfo {
  platform: NodeJS.Platform;
  arch: string;
  cpuModel: string | undefined;
  cores: number;
  totalMemBytes: number;
}

export interface ReadHardwareOptions {
  system?: SystemAccess;
  host?: HostInfo;
  timeoutMs?: number;
}

export function currentHost(): HostInfo {
  const cpus = os.cpus();
  return {
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpus[0]?.model.trim() || undefined,
    cores: os.availableParallelism(),
    totalMemBytes: os.totalmem(),
  };
}

/**
 * The agent's hardware for registration. `os` gives the baseline; on macOS `sysctl` names the chip
 * (os.cpus() on Apple silicon says just "Apple M2 Pro" too, but sysctl is what Intel Macs need for
 * their brand string); `nvidia-smi` names an NVIDIA GPU when one is there. Never throws: a probe
 * that fails leaves the `os` values.
 */
export async function readHardware(options: ReadHardwareOptions = {}): Promise<AgentHardware> {
  const system = options.system ?? REAL_SYSTEM;
  const host = options.host ?? currentHost();
  const timeoutMs = options.timeoutMs ?? 2_000;

  const hardware: AgentHardware = {
    cpu: host.cpuModel,
    cores: host.cores,
    memoryGb: bytesToGb(host.totalMemBytes),
    gpu: null,
    accelerator: 'cpu',
  };

  if (host.platform === 'darwin') {
    const output = await settleWithin(
      () => system.run('sysctl', ['-n', 'machdep.cpu.brand_string', 'hw.ncpu', 'hw.memsize'], timeoutMs),
      timeoutMs,
    );
    const mac = output === undefined ? {} : parseSysctlHardware(output);
    hardware.cpu = mac.chip ?? hardware.cpu;
    hardware.cores = mac.cores ?? hardware.cores;
    hardware.memoryGb = mac.memoryGb ?? hardware.memoryGb;
    if (host.arch === 'arm64') {
      // The GPU is part of the chip and shares its unified memory.
      hardware.gpu = hardware.cpu ?? null;
      hardware.accelerator = 'apple-silicon';
    }
    return hardware;
  }

  const gpus = await settleWithin(
    () => system.run('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], timeoutMs),
    timeoutMs,
  );
  const gpu = gpus
    ?.split('\n')
    .map((line) => line.trim())
    .find((line) => line.length > 0);
  if (gpu !== undefined) {
    hardware.gpu = gpu;
    hardware.accelerator = 'nvidia';
  }
  return hardware;
}
