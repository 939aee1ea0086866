import type { ChatCompletionChunk, ChatCompletionRequest, FinishReason, Usage } from '@iir/contracts';
import type { ApiError } from '../errors/api-error';
import type { StreamEncoder } from '../chat/response-format';
import { anthropicErrorBody } from './anthropic-error';
import { messageId, messagesUsage, stopReason, toolUseId } from './messages-response';

interface PendingTool {
  id: string;
  name: string;
  args: string;
}

/**
 * OpenAI chunks as Anthropic's stream events: `message_start`, then content blocks
 * (`content_block_start`, `text_delta`s or `input_json_delta`s, `content_block_stop`), then
 * `message_delta` with the stop reason and usage, and `message_stop`.
 *
 * Tool-call arguments arrive intact: the first tool call streams live as `input_json_delta`s;
 * further calls (and any text after the first call began) are held until the end and sent whole,
 * each in its own block. Anthropic's blocks follow one another and never interleave, while an
 * OpenAI upstream may interleave fragments of parallel calls, so the first call's block stays open
 * until the stream ends.
 */
export class MessagesStreamEncoder implements StreamEncoder {
  private started = false;
  private blocks = 0;
  private open: 'text' | 'tool' | undefined;
  /** The tool call streaming live, once one has started. */
  private live: PendingTool | undefined;
  private heldText = '';
  /** Calls held for the end, in arrival order; `latest` finds the one an id-less fragment continues. */
  private readonly held: PendingTool[] = [];
  private readonly latest = new Map<number, PendingTool>();
  private finish: FinishReason | null = null;
  private usage: Usage | undefined;

  constructor(private readonly body: ChatCompletionRequest) {}

  chunk(chunk: ChatCompletionChunk): string {
    let out = this.started ? '' : this.start(chunk.id, chunk.model);
    if (chunk.usage) this.usage = chunk.usage;
    // Read defensively: a compatible server's chunk may lack parts OpenAI always sends.
    const choice = Array.isArray(chunk.choices) ? chunk.choices.find((c) => c?.index === 0 || c?.index === undefined) : undefined;
    if (!choice) return out;
    const delta = choice.delta ?? {};
    if (typeof delta.content === 'string' && delta.content.length > 0) {
      if (this.live !== undefined) {
        // Text after a tool call began: the tool's block stays open (more of its arguments may come).
        this.heldText += delta.content;
      } else {
        if (this.open !== 'text') out += this.openBlock({ type: 'text', text: '' }, 'text');
        out += event('content_block_delta', { type: 'content_block_delta', index: this.blocks - 1, delta: { type: 'text_delta', text: delta.content } });
      }
    }
    for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) out += this.toolFragment(call);
    if (choice.finish_reason) this.finish = choice.finish_reason;
    return out;
  }

  end(): string {
    let out = this.started ? '' : this.start('', this.body.model);
    out += this.closeBlock();
    if (this.heldText) {
      out += this.openBlock({ type: 'text', text: '' }, 'text');
      out += event('content_block_delta', { type: 'content_block_delta', index: this.blocks - 1, delta: { type: 'text_delta', text: this.heldText } });
      out += this.closeBlock();
    }
    for (const tool of this.held) {
      out += this.openBlock({ type: 'tool_use', id: toolUseId(tool.id), name: tool.name, input: {} }, 'tool');
      if (tool.args) out += event('content_block_delta', { type: 'content_block_delta', index: this.blocks - 1, delta: { type: 'input_json_delta', partial_json: tool.args } });
      out += this.closeBlock();
    }
    this.held.length = 0;
    const usage = messagesUsage(this.usage);
    out += event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason(this.finish), stop_sequence: null },
      usage: { input_tokens: usage.input_tokens, output_tokens: usage.output_tokens, cache_read_input_tokens: usage.cache_read_input_tokens },
    });
    return out + event('message_stop', { type: 'message_stop' });
  }

  fail(error: ApiError): string {
    return event('error', anthropicErrorBody(error));
  }

  private start(id: string, model: string): string {
    this.started = true;
    return event('message_start', {
      type: 'message_start',
      message: {
        id: messageId(id),
        type: 'message',
        role: 'assistant',
        model: typeof model === 'string' && model ? model : this.body.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // Known only at the end (OpenAI sends usage last): the totals come in message_delta.
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    });
  }

  /**
   * One fragment of a tool call. A fragment continues the latest call at its index, unless it
   * carries another id (an upstream reusing an index for a new call). The first call that arrives
   * with its name streams live; every other is held and sent whole at the end.
   */
  private toolFragment(call: NonNullable<ChatCompletionChunk['choices'][number]['delta']['tool_calls']>[number]): string {
    const index = typeof call?.index === 'number' ? call.index : 0;
    const id = typeof call?.id === 'string' && call.id.length > 0 ? call.id : undefined;
    const name = typeof call?.function?.name === 'string' ? call.function.name : '';
    const fragment = typeof call?.function?.arguments === 'string' ? call.function.arguments : '';
    let out = '';
    let tool = this.latest.get(index);
    if (tool && id !== undefined && tool.id !== '' && tool.id !== id) tool = undefined;
    if (!tool) {
      tool = { id: id ?? '', name, args: '' };
      this.latest.set(index, tool);
      if (this.live === undefined && name) {
        this.live = tool;
        out = this.closeBlock() + this.openBlock({ type: 'tool_use', id: toolUseId(id), name, input: {} }, 'tool');
      } else {
        this.held.push(tool);
      }
    }
    if (id !== undefined && !tool.id) tool.id = id;
    if (name && !tool.name) tool.name = name;
    if (tool === this.live) return out + this.jsonDelta(fragment);
    tool.args += fragment;
    return out;
  }

  private jsonDelta(fragment: string): string {
    if (!fragment) return '';
    return event('content_block_delta', { type: 'content_block_delta', index: this.blocks - 1, delta: { type: 'input_json_delta', partial_json: fragment } });
  }

  private openBlock(block: Record<string, unknown>, kind: 'text' | 'tool'): string {
    this.open = kind;
    return event('content_block_start', { type: 'content_block_start', index: this.blocks++, content_block: block });
  }

  private closeBlock(): string {
    if (this.open === undefined) return '';
    this.open = undefined;
    return event('content_block_stop', { type: 'content_block_stop', index: this.blocks - 1 });
  }
}

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}
