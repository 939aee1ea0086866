import { readFile } from 'node:fs/promises';
import { MODALITIES, MODEL_KINDS, PROTOCOLS } from '@iir/contracts';
import { parse } from 'yaml';
import { z } from 'zod';

/** A seed file that cannot be used; the message names the file, the entry and the field. */
export class SeedFileError extends Error {
  override readonly name = 'SeedFileError';
}

const variableName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an environment variable name like EXTERNAL_OPENAI_KEY');

const entrySchema = z
  .object({
    name: z.string().min(1),
    provider: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lowercase letters, digits, ".", "_" or "-"'),
    kind: z.enum(MODEL_KINDS),
    protocol: z.enum(PROTOCOLS),
    base_url: z.string().default(''),
    upstream_model: z.string().min(1),
    context_window: z.number().int().positive().nullable().default(null),
    pricing: z
      .object({ prompt: z.number().nonnegative(), completion: z.number().nonnegative() })
      .strict()
      .nullable()
      .default(null),
    modalities: z
      .object({ input: z.array(z.enum(MODALITIES)).min(1), output: z.array(z.enum(MODALITIES)).min(1) })
      .strict()
      .nullable()
      .default(null),
    aliases: z.array(z.string().min(1)).default([]),
    fallbacks: z.array(z.string().min(1)).default([]),
    requires: z.array(variableName).default([]),
    enabled: z.boolean().default(true),
  })
  .strict();

const fileSchema = z.object({ models: z.array(entrySchema).default([]) }).strict();

/** One entry of `config/models.yaml`, as written (before `requires` and `${VAR}` are applied). */
export type SeedEntry = z.infer<typeof entrySchema>;

/** Reads and validates a seed file; `undefined` when it does not exist. */
export async function readSeedFile(file: string): Promise<SeedEntry[] | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SeedFileError(`${file}: cannot read: ${(error as Error).message}`);
  }
  return parseSeedFile(text, file);
}

export function parseSeedFile(text: string, file: string): SeedEntry[] {
  let document: unknown;
  try {
    document = parse(text) ?? {};
  } catch (error) {
    throw new SeedFileError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  const result = fileSchema.safeParse(document);
  if (result.success) return result.data.models;
  const problems = result.error.issues.map((issue) => `  ${describePath(document, issue.path)}: ${issue.message}`);
  throw new SeedFileError(`${file}: invalid model catalogue:\n${problems.join('\n')}`);
}

/** `models[2] (openai/gpt-4o).pricing.prompt`, so the operator finds the entry. */
function describePath(document: unknown, issuePath: Array<string | number>): string {
  const [root, index, ...rest] = issuePath;
  if (root !== 'models' || typeof index !== 'number') return issuePath.join('.') || '(file)';
  const entries = (document as { models?: unknown }).models;
  const entry: unknown = Array.isArray(entries) ? entries[index] : undefined;
  const name = typeof entry === 'object' && entry !== null ? (entry as { name?: unknown }).name : undefined;
  const label = typeof name === 'string' ? `models[${index}] (${name})` : `models[${index}]`;
  return [label, ...rest].join('.');
}
