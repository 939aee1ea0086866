import path from 'node:path';
import type { HardwareInfo } from '@iir/contracts';
import { readModelCatalog, type CatalogModel } from './model-catalog';
import { recommend } from './recommender';

const hardware = (accelerator: HardwareInfo['accelerator'], usableMemoryGb: number): HardwareInfo => ({
  host: 'h',
  platform: 'linux',
  arch: 'x64',
  cpuModel: 'cpu',
  cpuCores: 4,
  memoryGb: usableMemoryGb * 2,
  gpus: accelerator === 'gpu' ? [{ name: 'NVIDIA L4', memoryGb: usableMemoryGb / 0.9, vendor: 'nvidia' }] : [],
  accelerator,
  usableMemoryGb,
  notes: [],
});

describe(recommend.name, () => {
  let catalog: CatalogModel[];
  beforeAll(async () => {
    catalog = await readModelCatalog(path.resolve(__dirname, '../../../../config/model-catalog.yaml'));
  });

  it('reads the repository catalog: 15–25 models, each with a plausible memory estimate', () => {
    const models = new Set(catalog.map((m) => m.model));
    expect(models.size).toBeGreaterThanOrEqual(15);
    expect(models.size).toBeLessThanOrEqual(25);
    for (const m of catalog) {
      const bytes = m.memoryGb / 1.2 / m.parametersB;
      expect(bytes).toBeGreaterThan(0.5);
      expect(bytes).toBeLessThan(2.1);
    }
  });

  it('recommends only what fits, each model once at its most precise fitting quantisation, larger first', () => {
    const picks = recommend(catalog, hardware('gpu', 21.6));
    expect(picks.length).toBeGreaterThan(3);
    for (const p of picks) expect(p.memoryGb).toBeLessThanOrEqual(21.6);
    expect(new Set(picks.map((p) => p.id.split(':')[0])).size).toBe(picks.length);
    expect(picks.map((p) => p.parametersB)).toEqual([...picks.map((p) => p.parametersB)].sort((a, b) => b - a));
    expect(picks.find((p) => p.id.startsWith('llama-3.1-8b-instruct:'))?.quantization).toBe('fp16');
  });

  it('keeps CPU-only hosts to small models, whatever the RAM', () => {
    const picks = recommend(catalog, hardware('cpu', 128));
    expect(picks.every((p) => p.parametersB <= 8)).toBe(true);
    expect(picks[0]?.why).toContain('CPU only');
  });

  it('recommends nothing on a host too small for any model', () => {
    expect(recommend(catalog, hardware('cpu', 0.5))).toEqual([]);
  });
});
