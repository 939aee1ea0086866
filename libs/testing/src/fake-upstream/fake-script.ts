/**
 * What the fakes answer: deterministic, derived from the request, the same for both wire formats.
 *
 * - Text: `You said: <last user text, first 200 characters>`; after a tool result,
 *   `Tool result: <its text>`.
 * - Tools: when the request offers tools and the last user text contains "use the tool", the fake
 *   calls the tool named in that text (else the first one), with arguments built from its JSON
 *   schema's properties (strings "Paris", numbers 42, booleans true).
 * - `stop` sequences cut the text before the first match; a token limit below the answer's size
 *   cuts it to fit (`length` / `max_tokens`).
 * - Tokens: one per word, number or punctuation mark, close to real tokenizers on short English text.
 */

export const TOOL_TRIGGER = 'use the tool';
/** Completion tokens the fakes report for a tool call. */
export const TOOL_CALL_COMPLETION_TOKENS = 7;

export interface ScriptTool {
  name: string;
  schema: Record<string, unknown> | undefined;
}

export interface ScriptInput {
  lastUserText: string;
  /** Set when the conversation's last turn is a tool result. */
  toolResult: string | undefined;
  tools: ScriptTool[];
  stop: string[];
  maxTokens: number | undefined;
}

export type Script =
  | { kind: 'text'; text: string; finish: 'stop' | 'stop_sequence' | 'length'; stopSequence: string | null; tokens: number }
  | { kind: 'tool'; id: string; name: string; input: Record<string, unknown>; tokens: number };

export function script(input: ScriptInput, callNumber: number): Script {
  if (input.toolResult === undefined && input.tools.length > 0 && input.lastUserText.toLowerCase().includes(TOOL_TRIGGER)) {
    const tool = input.tools.find((t) => input.lastUserText.includes(t.name)) ?? input.tools[0];
    if (tool) {
      return { kind: 'tool', id: `call_fake${callNumber}`, name: tool.name, input: argumentsFor(tool.schema), tokens: TOOL_CALL_COMPLETION_TOKENS };
    }
  }
  let text = input.toolResult !== undefined ? `Tool result: ${input.toolResult.slice(0, 200)}` : `You said: ${input.lastUserText.slice(0, 200)}`;
  let finish: 'stop' | 'stop_sequence' | 'length' = 'stop';
  let stopSequence: string | null = null;
  for (const stop of input.stop) {
    const at = stop ? text.indexOf(stop) : -1;
    if (at !== -1) {
      text = text.slice(0, at);
      finish = 'stop_sequence';
      stopSequence = stop;
    }
  }
  if (input.maxTokens !== undefined && estimateTokens(text) > input.maxTokens) {
    text = firstTokens(text, input.maxTokens);
    finish = 'length';
    stopSequence = null;
  }
  return { kind: 'text', text, finish, stopSequence, tokens: estimateTokens(text) };
}

function argumentsFor(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  const properties = schema?.['properties'];
  const out: Record<string, unknown> = {};
  if (typeof properties !== 'object' || properties === null) return out;
  for (const [name, spec] of Object.entries(properties as Record<string, { type?: unknown }>)) {
    switch (spec?.type) {
      case 'string':
        out[name] = 'Paris';
        break;
      case 'number':
      case 'integer':
        out[name] = 42;
        break;
      case 'boolean':
        out[name] = true;
        break;
      default:
        break;
    }
  }
  return out;
}

/** A word, a number, or one punctuation mark / symbol: close to what BPE tokenizers count on short English text. */
const TOKEN = /[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;

/** The fakes' token count: words and punctuation marks ("You said: hi" is 4). */
export function estimateTokens(text: string): number {
  return text.match(TOKEN)?.length ?? 0;
}

/** The text up to the end of its `n`-th token. */
function firstTokens(text: string, n: number): string {
  if (n <= 0) return '';
  let count = 0;
  for (const match of text.matchAll(TOKEN)) {
    if (++count === n) return text.slice(0, (match.index ?? 0) + match[0].length);
  }
  return text;
}

/** Splits a text into word-sized stream deltas ("You", " said:", " hi"). */
export function deltas(text: string): string[] {
  const parts = text.match(/\s*\S+/g) ?? [];
  const trailing = text.length - parts.join('').length;
  if (trailing > 0 && parts.length > 0) parts[parts.length - 1] += text.slice(text.length - trailing);
  return parts.length > 0 ? parts : text.length > 0 ? [text] : [];
}

/** Splits a JSON text into a few fragments, as providers stream tool arguments. */
export function fragments(json: string): string[] {
  if (json.length <= 4) return [json];
  const size = Math.ceil(json.length / 3);
  const out: string[] = [];
  for (let at = 0; at < json.length; at += size) out.push(json.slice(at, at + size));
  return out;
}
