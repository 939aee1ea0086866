import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RegistryHarness } from './registry-harness';

const onPath = (command: string): boolean =>
  (process.env['PATH'] ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, command)));

describe('registry hardware discovery over NATS', () => {
  let h: RegistryHarness;

  beforeEach(async () => {
    h = await new RegistryHarness().setUp();
    await h.writeSeed('models: []\n');
  });
  afterEach(() => h.tearDown());

  it('reports nothing before the first refresh, and status never probes by itself', async () => {
    await h.start();
    expect(await h.client.hardwareStatus()).toEqual({ refreshedAt: null, hardware: null, recommendations: [], agents: [] });
  });

  it('finds this machine CPU-only (no nvidia-smi here) and recommends models that fit half its RAM', async () => {
    await h.start();
    const status = await h.client.refreshHardware();
    const hw = status.hardware;
    expect(hw).toMatchObject({ host: os.hostname(), cpuCores: os.cpus().length, platform: process.platform });
    expect(hw?.memoryGb).toBeCloseTo(os.totalmem() / 1024 ** 3, 0);
    if (!onPath('nvidia-smi')) {
      expect(hw).toMatchObject({ accelerator: 'cpu', gpus: [], notes: ['nvidia-smi: not found'] });
      expect(hw?.usableMemoryGb).toBeCloseTo((hw?.memoryGb ?? 0) / 2, 0);
    }
    expect(status.recommendations.length).toBeGreaterThan(0);
    for (const r of status.recommendations) {
      expect(r.memoryGb).toBeLessThanOrEqual(hw?.usableMemoryGb ?? 0);
      expect(r.fit).toBeLessThanOrEqual(1);
    }
    expect(Date.parse(status.refreshedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it('sees an NVIDIA GPU through REGISTRY_NVIDIA_SMI and recommends GPU-sized models', async () => {
    const smi = await h.fakeNvidiaSmi('NVIDIA A100-SXM4-80GB, 81920');
    await h.start({ REGISTRY_NVIDIA_SMI: smi });
    const { hardware, recommendations } = await h.client.refreshHardware();
    expect(hardware).toMatchObject({
      accelerator: 'gpu',
      gpus: [{ name: 'NVIDIA A100-SXM4-80GB', memoryGb: 80, vendor: 'nvidia' }],
      usableMemoryGb: 72,
    });
    expect(recommendations[0]?.parametersB).toBeGreaterThanOrEqual(70);
    expect(recommendations.some((r) => r.id === 'qwen2.5-14b-instruct:fp16')).toBe(true);
    expect(recommendations.every((r) => r.memoryGb <= 72)).toBe(true);
  });

  it('keeps the last discovery across a restart, until the next refresh', async () => {
    const smi = await h.fakeNvidiaSmi('NVIDIA L4, 23034');
    await h.start({ REGISTRY_NVIDIA_SMI: smi });
    const first = await h.client.refreshHardware();
    await h.start({ REGISTRY_NVIDIA_SMI: path.join(h.dir, 'gone') });
    expect(await h.client.hardwareStatus()).toEqual(first);
    const second = await h.client.refreshHardware();
    expect(second.hardware?.accelerator).toBe('cpu');
    expect(second.hardware?.notes[0]).toMatch(/gone: not found/);
    expect(await h.client.hardwareStatus()).toEqual(second);
  });
});
