import { macosFixture } from './fixtures/read-fixture';
import { type HostInfo, readHardware } from './hardware';
import type { CommandRunner, FileReader } from './system-access';

const files: FileReader = { readFile: () => Promise.reject(new Error('no')), readDir: () => Promise.reject(new Error('no')) };
const linuxHost: HostInfo = { platform: 'linux', arch: 'x64', cpuModel: 'AMD Ryzen 9 7950X 16-Core Processor', cores: 32, totalMemBytes: 64 * 1024 ** 3 };

describe(readHardware.name, () => {
  it('reads an Apple silicon Mac from sysctl', async () => {
    const run: CommandRunner = (cmd) => (cmd === 'sysctl' ? Promise.resolve(macosFixture('sysctl-hardware-m2pro.txt')) : Promise.reject(new Error('no')));
    const host: HostInfo = { platform: 'darwin', arch: 'arm64', cpuModel: 'Apple M2 Pro', cores: 12, totalMemBytes: 32 * 1024 ** 3 };
    await expect(readHardware({ system: { run, files }, host })).resolves.toEqual({
      cpu: 'Apple M2 Pro',
      cores: 12,
      memoryGb: 32,
      gpu: 'Apple M2 Pro',
      accelerator: 'apple-silicon',
    });
  });

  it('names an NVIDIA GPU when nvidia-smi answers', async () => {
    const run: CommandRunner = (cmd) => (cmd === 'nvidia-smi' ? Promise.resolve('NVIDIA GeForce RTX 4090\n') : Promise.reject(new Error('no')));
    await expect(readHardware({ system: { run, files }, host: linuxHost })).resolves.toEqual({
      cpu: 'AMD Ryzen 9 7950X 16-Core Processor',
      cores: 32,
      memoryGb: 64,
      gpu: 'NVIDIA GeForce RTX 4090',
      accelerator: 'nvidia',
    });
  });

  it('is a CPU machine when nvidia-smi is absent or hangs', async () => {
    const hangs: CommandRunner = () => new Promise<string>(() => undefined);
    await expect(readHardware({ system: { run: hangs, files }, host: linuxHost, timeoutMs: 50 })).resolves.toMatchObject({ gpu: null, accelerator: 'cpu' });
  }, 10_000);

  it('reads this machine without throwing', async () => {
    const hardware = await readHardware();
    expect(hardware.cores).toBeGreaterThan(0);
    expect(hardware.memoryGb).toBeGreaterThan(0);
    expect(['apple-silicon', 'nvidia', 'cpu']).toContain(hardware.accelerator);
  }, 20_000);
});
