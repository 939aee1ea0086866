import type { ChatCompletionRequest, ChatContentPart, ChatMessage, ToolDefinition } from '@iir/contracts';
import { UpstreamError } from '../provider';
import type {
  AnthropicContentBlock,
  AnthropicImageBlock,
  AnthropicDocumentBlock,
  AnthropicMessageParam,
  AnthropicRequest,
  AnthropicToolChoice,
} from './anthropic.wire';

/** Anthropic requires `max_tokens`; this is used when the client gives neither limit. */
export const DEFAULT_MAX_TOKENS = 4096;

/** The user turn put first when a conversation would otherwise start with the assistant (or be empty). */
export const LEADING_USER_TURN = '.';

/**
 * An OpenAI chat request as an Anthropic Messages request:
 * - `system`/`developer` messages (wherever they are) join into `system`;
 * - consecutive same-role messages merge, so roles alternate and the first is `user`;
 * - assistant `tool_calls` become `tool_use` blocks, `tool` messages user `tool_result` blocks;
 * - `image_url` parts (data URLs or http URLs) become `image` blocks, PDF `file` parts `document` blocks;
 * - `max_completion_tokens`/`max_tokens` (default 4096), `stop` → `stop_sequences`, `temperature`
 *   (clamped to Anthropic's 0–1), `top_p`, `user` → `metadata.user_id`, tools and `tool_choice`.
 * Fields Anthropic has no equivalent for (`n`, `seed`, penalties, `response_format`, logprobs) are dropped.
 */
export function toAnthropicRequest(body: ChatCompletionRequest, stream: boolean): AnthropicRequest {
  const system: string[] = [];
  const messages: AnthropicMessageParam[] = [];
  body.messages.forEach((message, index) => {
    switch (message.role) {
      case 'system':
      case 'developer': {
        const text = textOf(message.content);
        if (text) system.push(text);
        break;
      }
      case 'user':
        append(messages, 'user', userBlocks(message, index));
        break;
      case 'assistant':
        append(messages, 'assistant', assistantBlocks(message));
        break;
      case 'tool':
        append(messages, 'user', [toolResult(message.tool_call_id ?? '', textOf(message.content))]);
        break;
      case 'function':
        // Legacy function results carry no call id: pass them on as text.
        append(messages, 'user', textBlocks(`Result of ${message.name ?? 'function'}: ${textOf(message.content)}`));
        break;
      default:
        throw new UpstreamError('invalid_request_error', `Unsupported message role '${String(message.role)}'.`, {
          retryable: false,
          param: `messages[${index}].role`,
        });
    }
  });
  if (messages.length === 0 || messages[0]?.role !== 'user') {
    messages.unshift({ role: 'user', content: [{ type: 'text', text: LEADING_USER_TURN }] });
  }
  for (const message of messages) if (message.role === 'user') toolResultsFirst(message);
  trimFinalAssistant(messages);

  const out: AnthropicRequest = {
    model: body.model,
    messages,
    max_tokens: body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_MAX_TOKENS,
  };
  if (system.length > 0) out.system = system.join('\n\n');
  const stop = stopSequences(body.stop);
  if (stop) out.stop_sequences = stop;
  if (typeof body.temperature === 'number') out.temperature = Math.min(1, Math.max(0, body.temperature));
  if (typeof body.top_p === 'number') out.top_p = body.top_p;
  if (typeof body['top_k'] === 'number') out.top_k = body['top_k'];
  if (typeof body.user === 'string' && body.user) out.metadata = { user_id: body.user };
  if (body.tools && body.tools.length > 0) {
    out.tools = body.tools.map(toAnthropicTool);
    const choice = toolChoice(body.tool_choice, body['parallel_tool_calls']);
    if (choice) out.tool_choice = choice;
  }
  if (stream) out.stream = true;
  return out;
}

function append(messages: AnthropicMessageParam[], role: 'user' | 'assistant', blocks: AnthropicContentBlock[]): void {
  if (blocks.length === 0) return;
  const last = messages[messages.length - 1];
  if (last?.role === role) last.content.push(...blocks);
  else messages.push({ role, content: blocks });
}

function userBlocks(message: ChatMessage, index: number): AnthropicContentBlock[] {
  const content = message.content;
  if (content === null || typeof content === 'string') return textBlocks(content ?? '');
  const blocks: AnthropicContentBlock[] = [];
  content.forEach((part, partIndex) => {
    const block = partBlock(part, `messages[${index}].content[${partIndex}]`);
    if (block) blocks.push(block);
  });
  return blocks;
}

function partBlock(part: ChatContentPart, param: string): AnthropicContentBlock | undefined {
  switch (part.type) {
    case 'text': {
      const text = (part as { text?: unknown }).text;
      return typeof text === 'string' && text.length > 0 ? { type: 'text', text } : undefined;
    }
    case 'image_url': {
      const image = (part as { image_url?: { url?: unknown } }).image_url;
      const url = typeof image?.url === 'string' ? image.url : '';
      return imageBlock(url, param);
    }
    case 'file': {
      const file = (part as { file?: { file_data?: unknown } }).file;
      const data = typeof file?.file_data === 'string' ? parseDataUrl(file.file_data) : undefined;
      if (data?.mediaType === 'application/pdf') {
        const doc: AnthropicDocumentBlock = { type: 'document', source: { type: 'base64', media_type: data.mediaType, data: data.data } };
        return doc;
      }
      break;
    }
    default:
      break;
  }
  throw new UpstreamError('invalid_request_error', `Content parts of type '${part.type}' are not supported by Anthropic models.`, {
    retryable: false,
    param: `${param}.type`,
  });
}

function imageBlock(url: string, param: string): AnthropicImageBlock {
  const data = parseDataUrl(url);
  if (data) return { type: 'image', source: { type: 'base64', media_type: data.mediaType, data: data.data } };
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw new UpstreamError('invalid_request_error', 'An image must be a base64 data URL or an http(s) URL.', {
    retryable: false,
    param: `${param}.image_url.url`,
  });
}

function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s.exec(url);
  return match?.[1] && match[2] !== undefined ? { mediaType: match[1].toLowerCase(), data: match[2] } : undefined;
}

function assistantBlocks(message: ChatMessage): AnthropicContentBlock[] {
  const blocks = textBlocks(textOf(message.content));
  for (const call of message.tool_calls ?? []) {
    blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: toolInput(call.function.arguments) });
  }
  return blocks;
}

/** Tool arguments are a JSON string in OpenAI's shape, an object in Anthropic's. */
function toolInput(args: string): Record<string, unknown> {
  if (!args) return {};
  try {
    const parsed = JSON.parse(args) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return {};
  }
}

function toolResult(toolUseId: string, text: string): AnthropicContentBlock {
  return text ? { type: 'tool_result', tool_use_id: toolUseId, content: text } : { type: 'tool_result', tool_use_id: toolUseId };
}

/** Anthropic wants a user turn's `tool_result` blocks before anything else in it. */
function toolResultsFirst(message: AnthropicMessageParam): void {
  const firstOther = message.content.findIndex((b) => b.type !== 'tool_result');
  if (firstOther === -1 || !message.content.slice(firstOther).some((b) => b.type === 'tool_result')) return;
  message.content = [...message.content.filter((b) => b.type === 'tool_result'), ...message.content.filter((b) => b.type !== 'tool_result')];
}

/** A final assistant turn is a prefill, and Anthropic rejects one that ends in whitespace. */
function trimFinalAssistant(messages: AnthropicMessageParam[]): void {
  const last = messages[messages.length - 1];
  if (last?.role !== 'assistant') return;
  const block = last.content[last.content.length - 1];
  if (block?.type !== 'text') return;
  block.text = block.text.trimEnd();
  if (block.text.length === 0) last.content.pop();
  if (last.content.length === 0) messages.pop();
}

function textBlocks(text: string): AnthropicContentBlock[] {
  return text.length > 0 ? [{ type: 'text', text }] : [];
}

/** The text of a message's content: a string, or its text (and refusal) parts joined. */
function textOf(content: ChatMessage['content']): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  let out = '';
  for (const part of content) {
    const text = part.type === 'text' ? (part as { text?: unknown }).text : part.type === 'refusal' ? (part as { refusal?: unknown }).refusal : undefined;
    if (typeof text === 'string' && text.length > 0) out = out ? `${out}\n${text}` : text;
  }
  return out;
}

function stopSequences(stop: ChatCompletionRequest['stop']): string[] | undefined {
  if (stop === null || stop === undefined) return undefined;
  // Anthropic rejects empty and whitespace-only stop sequences.
  const list = (typeof stop === 'string' ? [stop] : stop).filter((s) => typeof s === 'string' && s.trim().length > 0);
  return list.length > 0 ? list : undefined;
}

function toAnthropicTool(tool: ToolDefinition): { name: string; description?: string; input_schema: Record<string, unknown> } {
  const fn = tool.function;
  const schema = fn.parameters && Object.keys(fn.parameters).length > 0 ? fn.parameters : { type: 'object', properties: {} };
  return fn.description ? { name: fn.name, description: fn.description, input_schema: schema } : { name: fn.name, input_schema: schema };
}

/** auto → auto, none → none, required → any, a named function → tool; `parallel_tool_calls: false` carries over. */
function toolChoice(choice: unknown, parallel: unknown): AnthropicToolChoice | undefined {
  const single = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined || choice === null || choice === 'auto') {
    return parallel === false ? { type: 'auto', ...single } : undefined;
  }
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any', ...single };
  if (typeof choice === 'object') {
    const name = (choice as { function?: { name?: unknown } }).function?.name;
    if (typeof name === 'string' && name) return { type: 'tool', name, ...single };
  }
  throw new UpstreamError('invalid_request_error', "tool_choice must be 'auto', 'none', 'required' or a named function.", {
    retryable: false,
    param: 'tool_choice',
  });
}
