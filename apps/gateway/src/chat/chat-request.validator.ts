import { PROVIDER_SORTS, type ChatCompletionRequest } from '@iir/contracts';
import { ApiError } from '../errors/api-error';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

/**
 * Checks a chat completion body against OpenAI's schema for the fields IIR reads or forwards.
 * Hand-written rather than a generic JSON-schema validator: it runs on every request and must cost
 * microseconds. Unknown fields pass through to the upstream untouched.
 */
export function validateChatRequest(body: unknown): ChatCompletionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('The request body must be a JSON object.', null);
  }
  const b = body as Record<string, unknown>;
  const listed = b['models'];
  if (b['model'] === undefined && Array.isArray(listed) && listed.length > 0 && listed.every((m) => typeof m === 'string' && m.length > 0)) {
    // OpenRouter's form: `models` alone, tried in order; the first is the model asked for.
    b['model'] = listed[0];
    b['models'] = listed.slice(1);
  }
  if (typeof b['model'] !== 'string' || b['model'].length === 0) {
    throw invalid(b['model'] === undefined ? "Missing required parameter: 'model'." : "'model' must be a non-empty string.", 'model');
  }
  const messages = b['messages'];
  if (messages === undefined) throw invalid("Missing required parameter: 'messages'.", 'messages');
  if (!Array.isArray(messages)) throw invalid("'messages' must be an array.", 'messages');
  if (messages.length === 0) throw invalid("'messages' must contain at least one message.", 'messages');
  for (let i = 0; i < messages.length; i++) validateMessage(messages[i], i);
  optionalBoolean(b, 'stream');
  optionalNumber(b, 'temperature', 0, 2);
  optionalNumber(b, 'top_p', 0, 1);
  optionalNumber(b, 'presence_penalty', -2, 2);
  optionalNumber(b, 'frequency_penalty', -2, 2);
  optionalInteger(b, 'max_tokens', 1);
  optionalInteger(b, 'max_completion_tokens', 1);
  optionalInteger(b, 'n', 1, 128);
  optionalInteger(b, 'seed', Number.MIN_SAFE_INTEGER);
  optionalInteger(b, 'top_logprobs', 0, 20);
  optionalBoolean(b, 'logprobs');
  const stop = b['stop'];
  if (stop !== undefined && stop !== null) {
    const ok =
      typeof stop === 'string' || (Array.isArray(stop) && stop.length <= 4 && stop.every((s) => typeof s === 'string'));
    if (!ok) throw invalid("'stop' must be a string or an array of up to 4 strings.", 'stop');
  }
  const so = b['stream_options'];
  if (so !== undefined && so !== null) {
    if (typeof so !== 'object' || Array.isArray(so)) throw invalid("'stream_options' must be an object.", 'stream_options');
    const iu = (so as Record<string, unknown>)['include_usage'];
    if (iu !== undefined && typeof iu !== 'boolean') {
      throw invalid("'stream_options.include_usage' must be a boolean.", 'stream_options.include_usage');
    }
  }
  const tools = b['tools'];
  if (tools !== undefined && tools !== null) {
    if (!Array.isArray(tools)) throw invalid("'tools' must be an array.", 'tools');
    tools.forEach((t: unknown, i) => {
      const fn = (t as { function?: { name?: unknown } } | null)?.function;
      if (typeof t !== 'object' || t === null || (t as { type?: unknown }).type !== 'function' || typeof fn?.name !== 'string') {
        throw invalid(`'tools[${i}]' must be {"type":"function","function":{"name":...}}.`, `tools[${i}]`);
      }
    });
  }
  const user = b['user'];
  if (user !== undefined && typeof user !== 'string') throw invalid("'user' must be a string.", 'user');
  const models = b['models'];
  if (models !== undefined && (!Array.isArray(models) || !models.every((m) => typeof m === 'string' && m.length > 0))) {
    throw invalid("'models' must be an array of model names.", 'models');
  }
  validateProvider(b['provider']);
  return b as ChatCompletionRequest;
}

/** OpenRouter's `provider` object (`order`, `only`, `ignore`, `allow_fallbacks`, `sort`), over IIR's provider names. */
function validateProvider(provider: unknown): void {
  if (provider === undefined || provider === null) return;
  if (typeof provider !== 'object' || Array.isArray(provider)) throw invalid("'provider' must be an object.", 'provider');
  const p = provider as Record<string, unknown>;
  for (const list of ['order', 'only', 'ignore']) {
    const value = p[list];
    if (value !== undefined && (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0))) {
      throw invalid(`'provider.${list}' must be an array of provider names.`, `provider.${list}`);
    }
  }
  if (p['allow_fallbacks'] !== undefined && typeof p['allow_fallbacks'] !== 'boolean') throw invalid("'provider.allow_fallbacks' must be a boolean.", 'provider.allow_fallbacks');
  const sort = p['sort'];
  if (sort !== undefined && !(PROVIDER_SORTS as readonly unknown[]).includes(sort)) {
    throw invalid(`'provider.sort' must be one of ${PROVIDER_SORTS.join(', ')}.`, 'provider.sort');
  }
}

function validateMessage(m: unknown, i: number): void {
  const where = `messages[${i}]`;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw invalid(`'${where}' must be an object.`, where);
  const msg = m as Record<string, unknown>;
  const role = msg['role'];
  if (typeof role !== 'string' || !ROLES.has(role)) {
    throw invalid(
      `'${where}.role' must be one of 'system', 'developer', 'user', 'assistant', 'tool'.`,
      `${where}.role`,
    );
  }
  const content = msg['content'];
  const hasToolCalls = Array.isArray(msg['tool_calls']) && (msg['tool_calls'] as unknown[]).length > 0;
  if (content === undefined || content === null) {
    if (role === 'assistant' && (hasToolCalls || msg['function_call'] !== undefined || content === null)) return;
    throw invalid(`Missing required parameter: '${where}.content'.`, `${where}.content`);
  }
  if (typeof content === 'string') return;
  if (!Array.isArray(content)) throw invalid(`'${where}.content' must be a string or an array of content parts.`, `${where}.content`);
  content.forEach((part: unknown, j) => {
    const p = part as { type?: unknown; text?: unknown } | null;
    if (typeof p !== 'object' || p === null || typeof p.type !== 'string') {
      throw invalid(`'${where}.content[${j}]' must be a content part with a 'type'.`, `${where}.content[${j}]`);
    }
    if (p.type === 'text' && typeof p.text !== 'string') {
      throw invalid(`'${where}.content[${j}].text' must be a string.`, `${where}.content[${j}].text`);
    }
  });
  if (role === 'tool' && typeof msg['tool_call_id'] !== 'string') {
    throw invalid(`Missing required parameter: '${where}.tool_call_id'.`, `${where}.tool_call_id`);
  }
}

function optionalNumber(b: Record<string, unknown>, key: string, min: number, max: number): void {
  const v = b[key];
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(`'${key}' must be a number.`, key);
  if (v < min || v > max) throw invalid(`'${key}' must be between ${min} and ${max}; got ${v}.`, key);
}

function optionalInteger(b: Record<string, unknown>, key: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  const v = b[key];
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalid(`'${key}' must be an integer.`, key);
  if (v < min || v > max) throw invalid(`'${key}' must be between ${min} and ${max}; got ${v}.`, key);
}

function optionalBoolean(b: Record<string, unknown>, key: string): void {
  const v = b[key];
  if (v !== undefined && v !== null && typeof v !== 'boolean') throw invalid(`'${key}' must be a boolean.`, key);
}

function invalid(message: string, param: string | null): ApiError {
  return new ApiError('invalid_request_error', message, { param });
}
