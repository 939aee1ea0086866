import { BusError, type ChatCompletionRequest, type EmbeddingsRequest } from '@iir/contracts';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

/**
 * The owner's API gets raw bodies (the gateway validated what comes over the bus, but an agent
 * trusts nobody): a clear `invalid_request_error` naming the parameter, never a crash inside a backend.
 */
export function validateChat(body: unknown): ChatCompletionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('The request body must be a JSON object.');
  const b = body as Record<string, unknown>;
  if (typeof b['model'] !== 'string' || b['model'].length === 0) throw invalid("'model' must be a non-empty string.", 'model');
  const messages = b['messages'];
  if (!Array.isArray(messages) || messages.length === 0) throw invalid("'messages' must be a non-empty array.", 'messages');
  messages.forEach((m: unknown, i) => {
    if (typeof m !== 'object' || m === null) throw invalid(`'messages[${i}]' must be an object.`, `messages[${i}]`);
    const { role, content } = m as Record<string, unknown>;
    if (typeof role !== 'string' || !ROLES.has(role)) throw invalid(`'messages[${i}].role' must be one of ${[...ROLES].join(', ')}.`, `messages[${i}].role`);
    if (content !== null && content !== undefined && typeof content !== 'string' && !Array.isArray(content)) {
      throw invalid(`'messages[${i}].content' must be a string or an array of content parts.`, `messages[${i}].content`);
    }
  });
  positiveInt(b, 'max_tokens');
  positiveInt(b, 'max_completion_tokens');
  range(b, 'temperature', 0, 2);
  range(b, 'top_p', 0, 1);
  if (b['seed'] !== undefined && b['seed'] !== null && !Number.isInteger(b['seed'])) throw invalid("'seed' must be an integer.", 'seed');
  const stop = b['stop'];
  if (stop !== undefined && stop !== null && typeof stop !== 'string' && !(Array.isArray(stop) && stop.every((s) => typeof s === 'string'))) {
    throw invalid("'stop' must be a string or an array of strings.", 'stop');
  }
  if (b['stream'] !== undefined && typeof b['stream'] !== 'boolean') throw invalid("'stream' must be a boolean.", 'stream');
  return b as ChatCompletionRequest;
}

/** An embeddings body: `model`, `input` (checked by the service), `encoding_format`, `dimensions`. */
export function validateEmbeddings(body: unknown): EmbeddingsRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('The request body must be a JSON object.');
  const b = body as Record<string, unknown>;
  if (typeof b['model'] !== 'string' || b['model'].length === 0) throw invalid("'model' must be a non-empty string.", 'model');
  if (b['input'] === undefined) throw invalid("Missing required parameter: 'input'.", 'input');
  const format = b['encoding_format'];
  if (format !== undefined && format !== null && format !== 'float' && format !== 'base64') throw invalid("'encoding_format' must be 'float' or 'base64'.", 'encoding_format');
  positiveInt(b, 'dimensions');
  return b as unknown as EmbeddingsRequest;
}

function positiveInt(b: Record<string, unknown>, key: string): void {
  const v = b[key];
  if (v !== undefined && v !== null && !(Number.isInteger(v) && (v as number) >= 1)) throw invalid(`'${key}' must be an integer of at least 1.`, key);
}

function range(b: Record<string, unknown>, key: string, min: number, max: number): void {
  const v = b[key];
  if (v !== undefined && v !== null && !(typeof v === 'number' && v >= min && v <= max)) throw invalid(`'${key}' must be a number from ${min} to ${max}.`, key);
}

function invalid(message: string, param?: string): BusError {
  return new BusError('invalid_request_error', message, param ? { param } : undefined);
}
