import type { ChatCompletionResponse, FinishReason, ToolCall, Usage } from '@iir/contracts';
import type { AnthropicMessage, AnthropicUsage } from './anthropic.wire';

/**
 * An Anthropic message as an OpenAI chat completion: text blocks join into `content`, `tool_use`
 * blocks become `tool_calls` (arguments as a JSON string), `stop_reason` becomes `finish_reason`,
 * usage is renamed. `id` and `model` are Anthropic's; Anthropic sends no timestamp, so `created`
 * is when the gateway got the answer.
 */
export function fromAnthropicMessage(message: AnthropicMessage, created: number): ChatCompletionResponse {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'tool_use') {
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  const content = text.length > 0 || toolCalls.length === 0 ? text : null;
  return {
    id: message.id,
    object: 'chat.completion',
    created,
    model: message.model,
    choices: [
      {
        index: 0,
        message: toolCalls.length > 0 ? { role: 'assistant', content, refusal: null, tool_calls: toolCalls } : { role: 'assistant', content, refusal: null },
        finish_reason: finishReason(message.stop_reason),
        logprobs: null,
      },
    ],
    usage: toUsage(message.usage),
  };
}

/** Anthropic's `stop_reason` as OpenAI's `finish_reason`. */
export function finishReason(stopReason: string | null | undefined): FinishReason {
  switch (stopReason ?? '') {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn
      return 'stop';
  }
}

/** Anthropic counts cached prompt tokens apart; OpenAI's `prompt_tokens` includes them. */
export function toUsage(usage: AnthropicUsage | undefined): Usage {
  const input = usage?.input_tokens ?? 0;
  const cacheWrite = usage?.cache_creation_input_tokens ?? 0;
  const cacheRead = usage?.cache_read_input_tokens ?? 0;
  const prompt = input + cacheWrite + cacheRead;
  const completion = usage?.output_tokens ?? 0;
  const out: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (cacheRead > 0) out['prompt_tokens_details'] = { cached_tokens: cacheRead };
  return out;
}
