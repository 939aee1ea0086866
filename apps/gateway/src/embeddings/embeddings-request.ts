import { isAutoModel, type ChatCompletionRequest, type EmbeddingsRequest } from '@iir/contracts';
import { ApiError } from '../errors/api-error';

/** The most inputs one request may carry (OpenAI's own limit). */
export const MAX_EMBEDDING_INPUTS = 2048;

/**
 * Checks a `POST /v1/embeddings` body: `model`, `input` (a string, strings, or token ids),
 * `encoding_format` (`float`|`base64`), `dimensions`, `user`. Returns the request as it goes
 * upstream (known fields only) and the chat-shaped view the request path's steps read: the
 * model and the input's text (for the key's token estimate), never sent anywhere.
 */
export function parseEmbeddingsRequest(body: unknown): { request: EmbeddingsRequest; view: ChatCompletionRequest } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('The request body must be a JSON object.', null);
  const b = body as Record<string, unknown>;
  const model = b['model'];
  if (typeof model !== 'string' || model.length === 0) throw invalid(model === undefined ? "Missing required parameter: 'model'." : "'model' must be a non-empty string.", 'model');
  if (isAutoModel(model)) throw invalid("'auto' chooses among chat models; name an embedding model.", 'model');
  const input = b['input'];
  if (input === undefined) throw invalid("Missing required parameter: 'input'.", 'input');
  const texts = inputTexts(input);
  const request: EmbeddingsRequest = { model, input: input as EmbeddingsRequest['input'] };
  const format = b['encoding_format'];
  if (format !== undefined && format !== null) {
    if (format !== 'float' && format !== 'base64') throw invalid("'encoding_format' must be 'float' or 'base64'.", 'encoding_format');
    request.encoding_format = format;
  }
  const dimensions = b['dimensions'];
  if (dimensions !== undefined && dimensions !== null) {
    if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1) throw invalid("'dimensions' must be a positive integer.", 'dimensions');
    request.dimensions = dimensions;
  }
  const user = b['user'];
  if (user !== undefined) {
    if (typeof user !== 'string') throw invalid("'user' must be a string.", 'user');
    request.user = user;
  }
  const models = b['models'];
  const view: ChatCompletionRequest = {
    model,
    messages: [{ role: 'user', content: texts }],
    // An embedding has no completion: the estimate is the input's tokens.
    max_completion_tokens: 1,
    ...(Array.isArray(models) ? { models: models.filter((m): m is string => typeof m === 'string') } : {}),
  };
  return { request, view };
}

/** The input's text for the token estimate; token ids count one each (as a digit). */
function inputTexts(input: unknown): string {
  if (typeof input === 'string') {
    if (input.length === 0) throw invalid("'input' must not be empty.", 'input');
    return input;
  }
  if (!Array.isArray(input) || input.length === 0) throw invalid("'input' must be a string, an array of strings, or an array of token arrays.", 'input');
  if (input.length > MAX_EMBEDDING_INPUTS) throw invalid(`'input' may hold at most ${MAX_EMBEDDING_INPUTS} items.`, 'input');
  if (input.every((t) => typeof t === 'string')) {
    if (input.some((t) => (t as string).length === 0)) throw invalid("'input' must not contain empty strings.", 'input');
    return (input as string[]).join('\n');
  }
  const isTokens = (v: unknown): boolean => Array.isArray(v) && v.length > 0 && v.every((n) => Number.isInteger(n) && (n as number) >= 0);
  if (isTokens(input)) return '0 '.repeat(input.length);
  if (input.every(isTokens)) return (input as number[][]).map((t) => '0 '.repeat(t.length)).join('\n');
  throw invalid("'input' must be a string, an array of strings, or an array of token arrays.", 'input');
}

function invalid(message: string, param: string | null): ApiError {
  return new ApiError('invalid_request_error', message, { param });
}
