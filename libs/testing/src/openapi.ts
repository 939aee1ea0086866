import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/**
 * Validates responses against OpenAI's own OpenAPI spec (`libs/testing/spec/openai-openapi.yaml`,
 * vendored with its source and MIT licence in the README beside it; override with OPENAI_SPEC_PATH).
 */
export class OpenAISpec {
  private readonly ajv: Ajv2020;
  private readonly cache = new Map<string, ValidateFunction>();

  private constructor(spec: object) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ ...(normalize(spec) as object), $id: 'openai' });
  }

  static load(): OpenAISpec {
    const file = process.env['OPENAI_SPEC_PATH'] ?? path.resolve(__dirname, '../spec/openai-openapi.yaml');
    return new OpenAISpec(parse(readFileSync(file, 'utf8'), { maxAliasCount: -1 }) as object);
  }

  /** Returns the schema errors (empty when `value` is a valid `schemaName`). */
  errors(schemaName: string, value: unknown): string[] {
    let validate = this.cache.get(schemaName);
    if (!validate) {
      validate = this.ajv.getSchema(`openai#/components/schemas/${schemaName}`);
      if (!validate) throw new Error(`no schema ${schemaName} in the OpenAI spec`);
      this.cache.set(schemaName, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  }
}

/** The spec mixes OpenAPI 3.0's `nullable` into 3.1 schemas; JSON Schema says `type: [..., "null"]`. */
function normalize(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalize);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = normalize(v);
  if (!('nullable' in out)) return out;
  const nullable = out['nullable'] === true;
  delete out['nullable'];
  if (!nullable) return out;
  if (Array.isArray(out['enum']) && !(out['enum'] as unknown[]).includes(null)) out['enum'] = [...(out['enum'] as unknown[]), null];
  const type = out['type'];
  if (typeof type === 'string') return { ...out, type: [type, 'null'] };
  if (Array.isArray(type)) return { ...out, type: [...new Set([...type, 'null'])] };
  return { anyOf: [out, { type: 'null' }] };
}
