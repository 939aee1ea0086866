import type { ChatCompletionRequest, ChatContentPart, ChatMessage, ToolCall, ToolDefinition } from '@iir/contracts';
import { ApiError } from '../errors/api-error';

/** A validated Anthropic Messages request: the body as sent, and the same request in OpenAI's chat shape. */
export interface MessagesRequest {
  /** The client's body, untouched: what an Anthropic upstream gets (with its own model id). */
  raw: Record<string, unknown>;
  /** The same request as a chat completion, for every other upstream and for IIR's own steps. */
  chat: ChatCompletionRequest;
}

type Block = Record<string, unknown> & { type: string };

/**
 * Checks an Anthropic Messages body (`POST /v1/messages`) for the fields IIR reads, and translates
 * it to a chat completion request:
 * - `system` (a string or text blocks) becomes the first message;
 * - user text and image blocks become content parts (PDF documents `file` parts, text documents
 *   text); `tool_result` blocks become `tool` messages, placed right after the assistant turn
 *   that called them, as OpenAI requires;
 * - assistant `tool_use` blocks become `tool_calls` (input as a JSON string); `thinking` blocks,
 *   which only an Anthropic model can read back, are dropped;
 * - `tools` (custom ones; server tools only mean something to Anthropic) become functions,
 *   `tool_choice` `auto`/`any`/`tool`/`none` → `auto`/`required`/a named function/`none`, and
 *   `disable_parallel_tool_use` → `parallel_tool_calls: false`;
 * - `max_tokens`, `stop_sequences` → `stop`, `temperature`, `top_p`, `metadata.user_id` → `user`
 *   (`top_k` only reaches an Anthropic upstream: OpenAI's API refuses it).
 * `countOnly` is `count_tokens`, which takes no `max_tokens` and never streams.
 */
export function parseMessagesRequest(body: unknown, countOnly = false): MessagesRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('The request body must be a JSON object.');
  const raw = body as Record<string, unknown>;
  const model = raw['model'];
  if (typeof model !== 'string' || model.length === 0) throw invalid(model === undefined ? 'model: Field required' : 'model: Input should be a non-empty string', 'model');
  const maxTokens = raw['max_tokens'];
  if (!countOnly) {
    if (maxTokens === undefined) throw invalid('max_tokens: Field required', 'max_tokens');
    if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
      throw invalid('max_tokens: Input should be a positive integer', 'max_tokens');
    }
  }
  const messages = raw['messages'];
  if (!Array.isArray(messages)) throw invalid(messages === undefined ? 'messages: Field required' : 'messages: Input should be a valid list', 'messages');
  if (messages.length === 0) throw invalid('messages: at least one message is required', 'messages');

  refuseAccountReferences(raw);
  const chat: ChatMessage[] = [];
  const system = systemText(raw['system']);
  if (system) chat.push({ role: 'system', content: system });
  messages.forEach((m: unknown, i) => translateMessage(m, i, chat));

  const out: ChatCompletionRequest = { model, messages: chat };
  if (typeof maxTokens === 'number') out.max_tokens = maxTokens;
  const stream = raw['stream'];
  if (stream !== undefined && typeof stream !== 'boolean') throw invalid('stream: Input should be a valid boolean', 'stream');
  if (stream === true && !countOnly) out.stream = true;
  const stop = raw['stop_sequences'];
  if (stop !== undefined) {
    if (!Array.isArray(stop) || !stop.every((s) => typeof s === 'string')) throw invalid('stop_sequences: Input should be a list of strings', 'stop_sequences');
    if (stop.length > 0) out.stop = stop as string[];
  }
  out.temperature = optionalNumber(raw, 'temperature', 0, 1);
  out.top_p = optionalNumber(raw, 'top_p', 0, 1);
  // Checked, but not translated: OpenAI refuses `top_k` (an Anthropic upstream gets it in the relayed body).
  optionalNumber(raw, 'top_k', 0, Number.MAX_SAFE_INTEGER);
  if (out.temperature === undefined) delete out.temperature;
  if (out.top_p === undefined) delete out.top_p;
  const metadata = raw['metadata'];
  if (metadata !== undefined && metadata !== null) {
    if (typeof metadata !== 'object' || Array.isArray(metadata)) throw invalid('metadata: Input should be an object', 'metadata');
    const user = (metadata as Record<string, unknown>)['user_id'];
    if (typeof user === 'string' && user) out.user = user;
  }
  const tools = translateTools(raw['tools']);
  if (tools.length > 0) {
    out.tools = tools;
    const choice = translateToolChoice(raw['tool_choice']);
    if (choice.choice !== undefined) out.tool_choice = choice.choice;
    if (choice.parallel === false) out['parallel_tool_calls'] = false;
  }
  return { raw, chat: out };
}

/**
 * What lives in the gateway's Anthropic account rather than in the request — a Files API file
 * (`file_id`) or a code-execution container — is not relayed: another key's uploads or container
 * would be reachable by naming them.
 */
function refuseAccountReferences(raw: Record<string, unknown>): void {
  if (raw['container'] !== undefined && raw['container'] !== null) {
    throw invalid("container: IIR does not relay code-execution containers (they belong to the gateway's Anthropic account, not to this key).", 'container');
  }
  const scan = (value: unknown, at: string): void => {
    if (Array.isArray(value)) value.forEach((v, i) => scan(v, `${at}.${i}`));
    else if (typeof value === 'object' && value !== null) {
      for (const [key, v] of Object.entries(value)) {
        if (key === 'file_id') throw invalid(`${at}: IIR does not relay Files API references (file_id): send the content itself (base64, text or a URL).`, at);
        scan(v, `${at}.${key}`);
      }
    }
  };
  scan(raw['messages'], 'messages');
  scan(raw['system'], 'system');
}

function systemText(system: unknown): string | undefined {
  if (system === undefined || system === null) return undefined;
  if (typeof system === 'string') return system || undefined;
  if (!Array.isArray(system)) throw invalid('system: Input should be a string or a list of text blocks', 'system');
  const texts = system.map((b: unknown, i) => {
    if (!isBlock(b) || b.type !== 'text' || typeof b['text'] !== 'string') throw invalid(`system.${i}: Input should be a text block`, `system.${i}`);
    return b['text'] as string;
  });
  return texts.join('\n\n') || undefined;
}

function translateMessage(m: unknown, i: number, out: ChatMessage[]): void {
  const where = `messages.${i}`;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw invalid(`${where}: Input should be an object`, where);
  const message = m as Record<string, unknown>;
  const role = message['role'];
  if (role !== 'user' && role !== 'assistant') throw invalid(`${where}.role: Input should be 'user' or 'assistant'`, `${where}.role`);
  const content = message['content'];
  if (typeof content === 'string') {
    out.push({ role, content });
    return;
  }
  if (!Array.isArray(content)) throw invalid(`${where}.content: Input should be a string or a list of content blocks`, `${where}.content`);
  const blocks = content.map((b: unknown, j) => {
    if (!isBlock(b)) throw invalid(`${where}.content.${j}: Input should be a content block with a 'type'`, `${where}.content.${j}`);
    return b;
  });
  if (role === 'assistant') out.push(assistantMessage(blocks, where));
  else userMessages(blocks, where, out);
}

function assistantMessage(blocks: Block[], where: string): ChatMessage {
  let text = '';
  const calls: ToolCall[] = [];
  blocks.forEach((block, j) => {
    if (block.type === 'text') text += stringField(block, 'text', `${where}.content.${j}`);
    else if (block.type === 'tool_use') {
      const id = stringField(block, 'id', `${where}.content.${j}`);
      const name = stringField(block, 'name', `${where}.content.${j}`);
      calls.push({ id, type: 'function', function: { name, arguments: JSON.stringify(block['input'] ?? {}) } });
    }
    // thinking, redacted_thinking and server tool blocks only mean something to an Anthropic model.
  });
  return calls.length > 0 ? { role: 'assistant', content: text || null, tool_calls: calls } : { role: 'assistant', content: text };
}

function userMessages(blocks: Block[], where: string, out: ChatMessage[]): void {
  const parts: ChatContentPart[] = [];
  blocks.forEach((block, j) => {
    const at = `${where}.content.${j}`;
    switch (block.type) {
      case 'text':
        parts.push({ type: 'text', text: stringField(block, 'text', at) });
        break;
      case 'image':
        parts.push({ type: 'image_url', image_url: { url: sourceUrl(block['source'], at) } });
        break;
      case 'document':
        parts.push(documentPart(block['source'], at));
        break;
      case 'tool_result': {
        const id = stringField(block, 'tool_use_id', at);
        const result = toolResultText(block['content'], at);
        // OpenAI has no error flag on a tool message: the model reads it in the text.
        out.push({ role: 'tool', tool_call_id: id, content: block['is_error'] === true ? `Error: ${result}` : result });
        break;
      }
      default:
        // Kinds only Anthropic reads (search results, container uploads) have no OpenAI form.
        break;
    }
  });
  if (parts.length === 0) return;
  const allText = parts.every((p) => p.type === 'text');
  out.push({ role: 'user', content: allText ? parts.map((p) => (p as { text: string }).text).join('\n') : parts });
}

function toolResultText(content: unknown, at: string): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalid(`${at}.content: Input should be a string or a list of blocks`, `${at}.content`);
  return content
    .map((b: unknown) => (isBlock(b) && b.type === 'text' && typeof b['text'] === 'string' ? b['text'] : isBlock(b) && b.type === 'image' ? '[image]' : ''))
    .filter(Boolean)
    .join('\n');
}

function sourceUrl(source: unknown, at: string): string {
  if (!isBlock(source)) throw invalid(`${at}.source: Field required`, `${at}.source`);
  if (source.type === 'base64') return `data:${stringField(source, 'media_type', `${at}.source`)};base64,${stringField(source, 'data', `${at}.source`)}`;
  if (source.type === 'url') return stringField(source, 'url', `${at}.source`);
  throw invalid(`${at}.source.type: Input should be 'base64' or 'url'`, `${at}.source.type`);
}

function documentPart(source: unknown, at: string): ChatContentPart {
  if (isBlock(source) && source.type === 'text') return { type: 'text', text: stringField(source, 'data', `${at}.source`) };
  if (isBlock(source) && source.type === 'base64') {
    return { type: 'file', file: { filename: 'document.pdf', file_data: sourceUrl(source, at) } };
  }
  if (isBlock(source) && source.type === 'url') return { type: 'text', text: stringField(source, 'url', `${at}.source`) };
  throw invalid(`${at}.source: Input should be a base64, text or url source`, `${at}.source`);
}

function translateTools(tools: unknown): ToolDefinition[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw invalid('tools: Input should be a valid list', 'tools');
  const out: ToolDefinition[] = [];
  tools.forEach((t: unknown, i) => {
    if (typeof t !== 'object' || t === null || Array.isArray(t)) throw invalid(`tools.${i}: Input should be an object`, `tools.${i}`);
    const tool = t as Record<string, unknown>;
    const type = tool['type'];
    // Server tools (web search, bash, text editor…) run at Anthropic: no other upstream has them.
    if (type !== undefined && type !== null && type !== 'custom') return;
    const name = stringField(tool, 'name', `tools.${i}`);
    const schema = tool['input_schema'];
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw invalid(`tools.${i}.input_schema: Field required`, `tools.${i}.input_schema`);
    const description = tool['description'];
    out.push({
      type: 'function',
      function: { name, ...(typeof description === 'string' ? { description } : {}), parameters: schema as Record<string, unknown> },
    });
  });
  return out;
}

function translateToolChoice(choice: unknown): { choice?: unknown; parallel?: boolean } {
  if (choice === undefined || choice === null) return {};
  if (!isBlock(choice)) throw invalid('tool_choice: Input should be an object with a type', 'tool_choice');
  const parallel = choice['disable_parallel_tool_use'] === true ? false : undefined;
  const withParallel = (value: unknown): { choice?: unknown; parallel?: boolean } => (parallel === false ? { choice: value, parallel } : { choice: value });
  switch (choice.type) {
    case 'auto':
      return withParallel('auto');
    case 'any':
      return withParallel('required');
    case 'none':
      return { choice: 'none' };
    case 'tool':
      return withParallel({ type: 'function', function: { name: stringField(choice, 'name', 'tool_choice') } });
    default:
      throw invalid("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'", 'tool_choice.type');
  }
}

function isBlock(value: unknown): value is Block {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { type?: unknown }).type === 'string';
}

function stringField(record: Record<string, unknown>, key: string, at: string): string {
  const value = record[key];
  if (typeof value !== 'string') throw invalid(`${at}.${key}: Input should be a valid string`, `${at}.${key}`);
  return value;
}

function optionalNumber(raw: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(`${key}: Input should be a valid number`, key);
  if (value < min || value > max) throw invalid(`${key}: Input should be between ${min} and ${max}`, key);
  return value;
}

function invalid(message: string, param: string | null = null): ApiError {
  return new ApiError('invalid_request_error', message, { param });
}
