import type { HardwareInfo, ModelRecommendation } from '@iir/contracts';
import type { CatalogModel } from './model-catalog';

/** Without an accelerator, models above this run at a few tokens per second at best. */
export const CPU_MAX_PARAMETERS_B = 8;
const DEFAULT_LIMIT = 10;

/**
 * The catalog models that fit the host, best first: each model once, at the most precise
 * quantisation that fits in the usable memory; larger models before smaller ones (they answer
 * better), and for equal size the one leaving more headroom. Pure: same input, same answer.
 */
export function recommend(catalog: readonly CatalogModel[], hardware: HardwareInfo, limit = DEFAULT_LIMIT): ModelRecommendation[] {
  const budget = hardware.usableMemoryGb;
  const fitting = catalog.filter(
    (m) => m.memoryGb <= budget && (hardware.accelerator !== 'cpu' || m.parametersB <= CPU_MAX_PARAMETERS_B),
  );
  const best = new Map<string, CatalogModel>();
  for (const m of fitting) {
    const current = best.get(m.model);
    // More memory for the same model means a more precise quantisation.
    if (!current || m.memoryGb > current.memoryGb) best.set(m.model, m);
  }
  return [...best.values()]
    .sort((a, b) => b.parametersB - a.parametersB || a.memoryGb - b.memoryGb || a.id.localeCompare(b.id))
    .slice(0, limit)
    .map((m) => ({
      id: m.id,
      family: m.family,
      parametersB: m.parametersB,
      quantization: m.quantization,
      memoryGb: m.memoryGb,
      contextWindow: m.contextWindow,
      goodFor: m.goodFor,
      fit: Math.round((m.memoryGb / budget) * 100) / 100,
      why: `${m.quantization} needs ~${m.memoryGb} GB of the ${budget} GB usable ${where(hardware)}`,
    }));
}

function where(hardware: HardwareInfo): string {
  switch (hardware.accelerator) {
    case 'gpu':
      return `VRAM on ${hardware.gpus.find((g) => g.vendor === 'nvidia')?.name ?? 'the GPU'} (90%)`;
    case 'unified':
      return 'unified memory (70%)';
    case 'cpu':
      return `system RAM (50%; CPU only, so at most ${CPU_MAX_PARAMETERS_B}B parameters)`;
  }
}
