import type { ChatCompletionChunk, ChatCompletionChunkChoice, FinishReason } from '@iir/contracts';
import { finishReason, toUsage } from './anthropic-response';
import type { AnthropicStreamEvent, AnthropicUsage } from './anthropic.wire';

type Delta = ChatCompletionChunkChoice['delta'];

/**
 * Anthropic's streaming events as OpenAI chunks, one event at a time:
 * - `message_start` → the first chunk, `{role: 'assistant', content: ''}`;
 * - `text_delta` → `{content}`;
 * - a `tool_use` block start → `{tool_calls: [{index, id, type, function: {name, arguments: ''}}]}`,
 *   then each `input_json_delta` → `{tool_calls: [{index, function: {arguments: fragment}}]}`
 *   (`index` counts tool calls, not Anthropic's content blocks);
 * - `message_delta` → an empty delta with `finish_reason`;
 * - `message_stop` → a usage-only chunk (`choices: []`), and `done`.
 * `ping`, block stops, thinking and unknown events produce nothing. `error` events are the
 * caller's to handle before calling `translate`.
 */
export class AnthropicStreamTranslator {
  /** True once `message_stop` arrived. */
  done = false;
  private id = '';
  private model = '';
  private readonly usage: AnthropicUsage = {};
  private readonly toolIndexByBlock = new Map<number, number>();
  private tools = 0;

  constructor(private readonly created: number) {}

  translate(event: AnthropicStreamEvent): ChatCompletionChunk | undefined {
    switch (event.type) {
      case 'message_start':
        this.id = event.message.id;
        this.model = event.message.model;
        this.addUsage(event.message.usage);
        return this.chunk({ role: 'assistant', content: '' }, null);
      case 'content_block_start': {
        const block = event.content_block;
        if (block.type === 'text') return block.text ? this.chunk({ content: block.text }, null) : undefined;
        if (block.type !== 'tool_use') return undefined;
        const index = this.tools++;
        this.toolIndexByBlock.set(event.index, index);
        return this.chunk({ tool_calls: [{ index, id: block.id, type: 'function', function: { name: block.name, arguments: '' } }] }, null);
      }
      case 'content_block_delta': {
        const delta = event.delta;
        if (delta.type === 'text_delta') return delta.text ? this.chunk({ content: delta.text }, null) : undefined;
        if (delta.type !== 'input_json_delta' || !delta.partial_json) return undefined;
        const index = this.toolIndexByBlock.get(event.index);
        return index === undefined ? undefined : this.chunk({ tool_calls: [{ index, function: { arguments: delta.partial_json } }] }, null);
      }
      case 'message_delta':
        this.addUsage(event.usage);
        return this.chunk({}, finishReason(event.delta.stop_reason));
      case 'message_stop':
        this.done = true;
        return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage: toUsage(this.usage) };
      case 'content_block_stop':
      case 'ping':
      case 'error':
        return undefined;
      default:
        return undefined;
    }
  }

  /** `message_start` carries the input side, `message_delta` the (cumulative) output side. */
  private addUsage(usage: AnthropicUsage | undefined): void {
    if (!usage) return;
    if (typeof usage.input_tokens === 'number') this.usage.input_tokens = usage.input_tokens;
    if (typeof usage.output_tokens === 'number') this.usage.output_tokens = usage.output_tokens;
    if (typeof usage.cache_creation_input_tokens === 'number') this.usage.cache_creation_input_tokens = usage.cache_creation_input_tokens;
    if (typeof usage.cache_read_input_tokens === 'number') this.usage.cache_read_input_tokens = usage.cache_read_input_tokens;
  }

  private chunk(delta: Delta, finish: FinishReason | null): ChatCompletionChunk {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    };
  }
}
