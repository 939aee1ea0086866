import { createHash } from 'node:crypto';
import type { ChatCompletionRequest } from '@iir/contracts';

/** Which endpoint shaped the answer: the stored body is already in that endpoint's format. */
export type CacheSurface = 'chat' | 'completions' | 'infer' | 'messages' | 'embeddings';
/** A JSON answer and an SSE stream are kept apart: one is never served for the other. */
export type CacheKind = 'json' | 'stream';

/**
 * Top-level request fields that do not change what the model answers. Everything else — including
 * fields IIR does not know — is part of the key: a field we cannot judge is assumed to matter.
 * `stream` is replaced by the kind; `stream_options` by `include_usage` (stream entries only),
 * the one option that changes the recorded events.
 */
const NOT_IN_KEY = new Set(['stream', 'stream_options', 'user', 'metadata', 'store', 'prompt_cache_key', 'safety_identifier']);

/**
 * Bumped when the key material or the stored entry changes shape, so old entries are never read with
 * a new meaning (v2: streams are stored as whole SSE frames, not `data:` payloads).
 */
const KEY_VERSION = 'v2';

/**
 * JSON with object keys sorted at every depth and no whitespace, so two requests that differ only
 * in key order or formatting give the same text. Array order is kept (it is meaningful);
 * `undefined` members are dropped as `JSON.stringify` does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const name of Object.keys(record).sort()) {
    const member = record[name];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    parts.push(`${JSON.stringify(name)}:${canonicalJson(member)}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * What the key is computed from: the request minus the fields in `NOT_IN_KEY`. A top-level `null`
 * means "the default", the same as leaving the field out, so both give one key.
 */
export function keyMaterial(surface: CacheSurface, body: ChatCompletionRequest, kind: CacheKind, scope?: string): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (value === null || value === undefined || NOT_IN_KEY.has(name)) continue;
    params[name] = value;
  }
  return {
    version: KEY_VERSION,
    surface,
    kind,
    ...(kind === 'stream' ? { includeUsage: body.stream_options?.include_usage === true } : {}),
    ...(scope !== undefined ? { scope } : {}),
    params,
  };
}

/**
 * `<prefix>v2:<surface>:<kind>:<model>:<sha256 of the canonical request>`. The model is readable
 * so an operator can find (and delete) one model's entries; it is also inside the hash, so the
 * readable part may be shortened safely.
 */
export function cacheKey(prefix: string, surface: CacheSurface, body: ChatCompletionRequest, kind: CacheKind, scope?: string): string {
  const hash = createHash('sha256').update(canonicalJson(keyMaterial(surface, body, kind, scope))).digest('hex');
  const model = body.model.replace(/[^\x21-\x7e]/g, '_').slice(0, 128);
  return `${prefix}${KEY_VERSION}:${surface}:${kind}:${model}:${hash}`;
}
