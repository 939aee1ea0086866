import { parseNvidiaSmi, probeHardware, type CommandRunner, type ProbeHost } from './hardware-probe';

const GB = 1024 ** 3;
const host = (overrides: Partial<ProbeHost> & { run: CommandRunner }): ProbeHost => ({
  platform: 'linux',
  arch: 'x64',
  hostname: 'box',
  cpus: Array.from({ length: 8 }, () => ({ model: ' Intel(R) Xeon(R) ' })),
  totalMemoryBytes: 64 * GB,
  ...overrides,
});
const missing: CommandRunner = () => Promise.reject(Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' }));

describe(probeHardware.name, () => {
  it('is CPU-only with half the RAM usable when nvidia-smi is missing', async () => {
    const hw = await probeHardware({ nvidiaSmi: 'nvidia-smi', timeoutMs: 100 }, host({ run: missing }));
    expect(hw).toMatchObject({ accelerator: 'cpu', cpuModel: 'Intel(R) Xeon(R)', cpuCores: 8, memoryGb: 64, usableMemoryGb: 32, gpus: [] });
    expect(hw.notes).toEqual(['nvidia-smi: not found']);
  });

  it('sizes against the largest NVIDIA GPU, 90% of its VRAM', async () => {
    const run: CommandRunner = async (command) => {
      expect(command).toBe('/opt/nvidia-smi');
      return 'NVIDIA A100-SXM4-80GB, 81920\nNVIDIA T4, 15360\n';
    };
    const hw = await probeHardware({ nvidiaSmi: '/opt/nvidia-smi', timeoutMs: 100 }, host({ run }));
    expect(hw.gpus).toEqual([
      { name: 'NVIDIA A100-SXM4-80GB', memoryGb: 80, vendor: 'nvidia' },
      { name: 'NVIDIA T4', memoryGb: 15, vendor: 'nvidia' },
    ]);
    expect(hw).toMatchObject({ accelerator: 'gpu', usableMemoryGb: 72 });
  });

  it('reads Apple Silicon and its unified memory through sysctl on macOS, 70% usable', async () => {
    const run: CommandRunner = async (command, args) => {
      if (command === 'nvidia-smi') return missing(command, args, 0);
      if (args.includes('machdep.cpu.brand_string')) return 'Apple M2 Max\n';
      if (args.includes('hw.memsize')) return `${32 * GB}\n`;
      throw new Error(`unexpected ${command}`);
    };
    const hw = await probeHardware({ nvidiaSmi: 'nvidia-smi', timeoutMs: 100 }, host({ platform: 'darwin', arch: 'arm64', totalMemoryBytes: 1, run }));
    expect(hw).toMatchObject({ accelerator: 'unified', cpuModel: 'Apple M2 Max', memoryGb: 32, usableMemoryGb: 22.4 });
    expect(hw.gpus).toEqual([{ name: 'Apple M2 Max', memoryGb: 32, vendor: 'apple' }]);
  });

  it('notes a tool that times out instead of failing', async () => {
    const slow: CommandRunner = () => Promise.reject(Object.assign(new Error('killed'), { killed: true, signal: 'SIGTERM' }));
    const hw = await probeHardware({ nvidiaSmi: 'nvidia-smi', timeoutMs: 100 }, host({ run: slow }));
    expect(hw.notes).toEqual(['nvidia-smi: timed out']);
    expect(hw.accelerator).toBe('cpu');
  });
});

describe(parseNvidiaSmi.name, () => {
  it('skips lines it cannot read', () => {
    expect(parseNvidiaSmi('garbage\n, 10\nNVIDIA L4, [N/A]\nNVIDIA L4, 23034\n')).toEqual([{ name: 'NVIDIA L4', memoryGb: 22.5, vendor: 'nvidia' }]);
  });
});
