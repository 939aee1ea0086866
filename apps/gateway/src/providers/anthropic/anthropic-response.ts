import type { ChatCompletionChunk, ChatCompletionResponse, FinishReason, ToolCall, Usage } from '@iir/contracts';

export interface AnthropicResponse {
  id: string;
  model: string;
  content: Array<{ type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown } | { type: string }>;
  stop_reason: string | null;
  usage?: { input_tokens?: number; output_tokens?: number };
}

export function finishReason(stop: string | null | undefined): FinishReason | null {
  switch (stop) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    case null:
    case undefined:
      return null;
    default:
      return 'stop';
  }
}

export function usageOf(input: number, output: number): Usage {
  return { prompt_tokens: input, completion_tokens: output, total_tokens: input + output };
}

/** Anthropic Messages response → OpenAI chat completion. */
export function fromAnthropicResponse(r: AnthropicResponse): ChatCompletionResponse {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of r.content) {
    if (block.type === 'text') text += (block as { text: string }).text;
    else if (block.type === 'tool_use') {
      const b = block as { id: string; name: string; input: unknown };
      toolCalls.push({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
    }
  }
  return {
    id: r.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: r.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text.length || toolCalls.length === 0 ? text : null, refusal: null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
        finish_reason: finishReason(r.stop_reason),
        logprobs: null,
      },
    ],
    usage: usageOf(r.usage?.input_tokens ?? 0, r.usage?.output_tokens ?? 0),
  };
}

/**
 * Anthropic's stream events → OpenAI chunks. Stateful: content block indexes become tool call
 * indexes, and usage arrives split between message_start and message_delta.
 */
export class AnthropicStreamTranslator {
  private id = 'msg';
  private model = '';
  private readonly created = Math.floor(Date.now() / 1000);
  private inputTokens = 0;
  private outputTokens = 0;
  private readonly toolIndex = new Map<number, number>();
  private finish: FinishReason | null = null;

  /** Returns the chunks this event produces (often none). */
  translate(type: string, data: Record<string, unknown>): ChatCompletionChunk[] {
    switch (type) {
      case 'message_start': {
        const m = data['message'] as { id: string; model: string; usage?: { input_tokens?: number; output_tokens?: number } };
        this.id = m.id;
        this.model = m.model;
        this.inputTokens = m.usage?.input_tokens ?? 0;
        this.outputTokens = m.usage?.output_tokens ?? 0;
        return [this.chunk({ role: 'assistant', content: '' })];
      }
      case 'content_block_start': {
        const block = data['content_block'] as { type: string; id?: string; name?: string; text?: string };
        const index = data['index'] as number;
        if (block.type === 'tool_use') {
          const toolIdx = this.toolIndex.size;
          this.toolIndex.set(index, toolIdx);
          return [this.chunk({ tool_calls: [{ index: toolIdx, id: block.id, type: 'function', function: { name: block.name, arguments: '' } }] })];
        }
        return block.text ? [this.chunk({ content: block.text })] : [];
      }
      case 'content_block_delta': {
        const delta = data['delta'] as { type: string; text?: string; partial_json?: string };
        if (delta.type === 'text_delta') return [this.chunk({ content: delta.text ?? '' })];
        if (delta.type === 'input_json_delta') {
          const toolIdx = this.toolIndex.get(data['index'] as number) ?? 0;
          return [this.chunk({ tool_calls: [{ index: toolIdx, function: { arguments: delta.partial_json ?? '' } }] })];
        }
        return [];
      }
      case 'message_delta': {
        const delta = data['delta'] as { stop_reason?: string | null };
        const usage = data['usage'] as { output_tokens?: number; input_tokens?: number } | undefined;
        if (usage?.output_tokens !== undefined) this.outputTokens = usage.output_tokens;
        if (usage?.input_tokens) this.inputTokens = usage.input_tokens;
        this.finish = finishReason(delta.stop_reason);
        return [];
      }
      case 'message_stop':
        return [
          this.chunk({}, this.finish ?? 'stop'),
          { ...this.chunk({}), choices: [], usage: usageOf(this.inputTokens, this.outputTokens) },
        ];
      default:
        return [];
    }
  }

  private chunk(delta: ChatCompletionChunk['choices'][number]['delta'], finish: FinishReason | null = null): ChatCompletionChunk {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    };
  }
}
