import type { ChatCompletionResponse, FinishReason, Usage } from '@iir/contracts';

/** Anthropic's usage block, from OpenAI's (whose `prompt_tokens` include the cached ones). */
export interface MessagesUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';

/**
 * A chat completion as an Anthropic message: the text as one text block, each tool call as a
 * `tool_use` block (its arguments parsed back into `input`), `finish_reason` as `stop_reason`.
 */
export function toAnthropicMessage(response: ChatCompletionResponse, requestedModel: string): Record<string, unknown> {
  // Read defensively: a compatible server's answer may lack parts OpenAI always sends.
  const choice = Array.isArray(response.choices) ? response.choices[0] : undefined;
  const message = (choice?.message ?? {}) as Partial<NonNullable<typeof choice>['message']>;
  const content: Array<Record<string, unknown>> = [];
  const text = typeof message.content === 'string' ? message.content : '';
  if (text) content.push({ type: 'text', text });
  for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
    content.push({ type: 'tool_use', id: toolUseId(call?.id), name: String(call?.function?.name ?? ''), input: parseInput(call?.function?.arguments) });
  }
  if (content.length === 0) content.push({ type: 'text', text: '' });
  return {
    id: messageId(response.id),
    type: 'message',
    role: 'assistant',
    model: typeof response.model === 'string' && response.model ? response.model : requestedModel,
    content,
    stop_reason: stopReason(choice?.finish_reason ?? null),
    stop_sequence: null,
    usage: messagesUsage(response.usage),
  };
}

export function stopReason(finish: FinishReason | null): StopReason {
  switch (finish) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

export function messagesUsage(usage: Usage | undefined): MessagesUsage {
  const details = usage?.['prompt_tokens_details'] as { cached_tokens?: unknown } | undefined;
  const cached = typeof details?.cached_tokens === 'number' ? details.cached_tokens : 0;
  const prompt = usage?.prompt_tokens ?? 0;
  return {
    input_tokens: Math.max(0, prompt - cached),
    output_tokens: usage?.completion_tokens ?? 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}

/** Anthropic ids start with `msg_`; the upstream's id keeps its meaning after it. */
export function messageId(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0) return `msg_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
  return id.startsWith('msg_') ? id : `msg_${id.replace(/^chatcmpl-/, '') || Date.now().toString(36)}`;
}

/** Tool-use ids are the upstream's call ids (they come back in `tool_result`), kept as they are when present. */
export function toolUseId(id: unknown): string {
  return typeof id === 'string' && id.length > 0 ? id : `toolu_${Math.random().toString(36).slice(2, 14)}`;
}

/** Arguments that are not a JSON object (a model's slip) still reach the client: under `_raw`. */
export function parseInput(args: unknown): Record<string, unknown> {
  if (typeof args === 'object' && args !== null && !Array.isArray(args)) return args as Record<string, unknown>;
  if (typeof args !== 'string' || !args.trim()) return {};
  try {
    const value: unknown = JSON.parse(args);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { _raw: args };
  } catch {
    return { _raw: args };
  }
}
