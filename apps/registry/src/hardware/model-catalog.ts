import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';

const entrySchema = z
  .object({
    model: z.string().min(1),
    family: z.string().min(1),
    parameters_b: z.number().positive(),
    quantization: z.string().min(1),
    memory_gb: z.number().positive(),
    context_window: z.number().int().positive(),
    good_for: z.array(z.string().min(1)).default([]),
  })
  .strict();

/** One open model at one quantisation, with the memory it needs to load and serve. */
export interface CatalogModel {
  /** `<model>:<quantization>`, e.g. `llama-3.1-8b-instruct:q4_k_m`. */
  id: string;
  model: string;
  family: string;
  parametersB: number;
  quantization: string;
  memoryGb: number;
  contextWindow: number;
  goodFor: string[];
}

/** Reads `config/model-catalog.yaml`; the error names the file and the entry. */
export async function readModelCatalog(file: string): Promise<CatalogModel[]> {
  const document: unknown = parse(await readFile(file, 'utf8')) ?? {};
  const result = z.object({ models: z.array(entrySchema) }).strict().safeParse(document);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`${file}: invalid model catalog: ${problems}`);
  }
  return result.data.models.map((m) => ({
    id: `${m.model}:${m.quantization}`,
    model: m.model,
    family: m.family,
    parametersB: m.parameters_b,
    quantization: m.quantization,
    memoryGb: m.memory_gb,
    contextWindow: m.context_window,
    goodFor: m.good_for,
  }));
}
