/** Completion allowance when the request sets neither `max_completion_tokens` nor `max_tokens`. */
export const DEFAULT_COMPLETION_TOKENS = 256;
/** Role, separators and the like that every chat message costs on top of its text. */
const PER_MESSAGE_TOKENS = 4;
/** What an image (or another non-text part) is charged, whatever its size. */
const NON_TEXT_PART_TOKENS = 85;
const CHARS_PER_TOKEN = 4;

export interface EstimableBody {
  messages?: unknown;
  prompt?: unknown;
  tools?: unknown;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  n?: number | null;
}

/**
 * Tokens to reserve before the upstream call: about one per 4 characters of every string in the
 * messages (or prompt) and tool definitions, 4 per message, 85 per image part, plus the completion
 * allowance (`max_completion_tokens`, else `max_tokens`, else 256) times `n`. A rough figure on
 * purpose — `settle` replaces it with the real usage.
 */
export function estimateTokens(body: EstimableBody): number {
  let chars = 0;
  let tokens = 0;
  const add = (walked: { chars: number; tokens: number }): void => {
    chars += walked.chars;
    tokens += walked.tokens;
  };
  if (Array.isArray(body.messages)) {
    tokens += body.messages.length * PER_MESSAGE_TOKENS;
    add(walk(body.messages));
  }
  if (body.prompt !== undefined && body.prompt !== null) add(walk(body.prompt));
  if (body.tools !== undefined && body.tools !== null) add(walk(body.tools));
  const completion = positiveInt(body.max_completion_tokens) ?? positiveInt(body.max_tokens) ?? DEFAULT_COMPLETION_TOKENS;
  const choices = positiveInt(body.n) ?? 1;
  return tokens + Math.ceil(chars / CHARS_PER_TOKEN) + completion * choices;
}

/**
 * Characters of every string reachable from `value`; a number in an array is a token id (legacy
 * completions accept prompts as token arrays); an image/audio part costs a flat amount.
 */
function walk(root: unknown): { chars: number; tokens: number } {
  let chars = 0;
  let tokens = 0;
  const stack: Array<{ value: unknown; inArray: boolean }> = [{ value: root, inArray: false }];
  while (stack.length > 0) {
    const { value, inArray } = stack.pop() as { value: unknown; inArray: boolean };
    if (typeof value === 'string') chars += value.length;
    else if (typeof value === 'number') tokens += inArray ? 1 : 0;
    else if (Array.isArray(value)) for (const item of value) stack.push({ value: item, inArray: true });
    else if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      if (typeof record['type'] === 'string' && isNonTextPart(record['type'])) {
        tokens += NON_TEXT_PART_TOKENS;
        continue;
      }
      for (const [key, item] of Object.entries(record)) if (key !== 'type') stack.push({ value: item, inArray: false });
    }
  }
  return { chars, tokens };
}

function isNonTextPart(type: string): boolean {
  return type === 'image_url' || type === 'input_audio' || type === 'image' || type === 'file';
}

function positiveInt(value: number | null | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.ceil(value) : undefined;
}
