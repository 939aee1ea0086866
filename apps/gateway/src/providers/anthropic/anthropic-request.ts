import type { ChatCompletionRequest, ChatContentPart, ChatMessage } from '@iir/contracts';

/** Anthropic requires max_tokens; OpenAI does not. */
export const DEFAULT_MAX_TOKENS = 4096;

type Block =
  | { type: 'text'; text: string }
  | { type: 'image'; source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string } }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string };

interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: Block[];
}

export interface AnthropicRequest {
  model: string;
  messages: AnthropicMessage[];
  system?: string;
  max_tokens: number;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  stream?: boolean;
  tools?: Array<{ name: string; description?: string; input_schema: unknown }>;
  tool_choice?: { type: 'auto' | 'any' | 'none' } | { type: 'tool'; name: string };
  metadata?: { user_id: string };
}

/** OpenAI chat request → Anthropic Messages request. */
export function toAnthropicRequest(body: ChatCompletionRequest, stream: boolean): AnthropicRequest {
  const system: string[] = [];
  const messages: AnthropicMessage[] = [];
  const push = (role: 'user' | 'assistant', blocks: Block[]): void => {
    if (blocks.length === 0) return;
    const last = messages[messages.length - 1];
    // Anthropic wants strictly alternating roles: merge consecutive turns of one role.
    if (last && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const m of body.messages) {
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(textOf(m.content));
        break;
      case 'user':
        push('user', contentBlocks(m.content));
        break;
      case 'assistant': {
        const blocks = contentBlocks(m.content);
        for (const call of m.tool_calls ?? []) {
          blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseArguments(call.function.arguments) });
        }
        push('assistant', blocks);
        break;
      }
      case 'tool':
      case 'function':
        push('user', [{ type: 'tool_result', tool_use_id: String(m.tool_call_id ?? m.name ?? ''), content: textOf(m.content) }]);
        break;
    }
  }
  if (messages[0]?.role !== 'user') messages.unshift({ role: 'user', content: [{ type: 'text', text: '(continue)' }] });
  const out: AnthropicRequest = {
    model: body.model,
    messages,
    max_tokens: body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_MAX_TOKENS,
  };
  if (system.length) out.system = system.join('\n\n');
  if (body.stop) out.stop_sequences = Array.isArray(body.stop) ? body.stop : [body.stop];
  if (typeof body.temperature === 'number') out.temperature = Math.min(1, body.temperature);
  if (typeof body.top_p === 'number') out.top_p = body.top_p;
  if (stream) out.stream = true;
  if (body.user) out.metadata = { user_id: body.user };
  if (body.tools?.length) {
    out.tools = body.tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description ? { description: t.function.description } : {}),
      input_schema: t.function.parameters ?? { type: 'object', properties: {} },
    }));
    const choice = toolChoice(body.tool_choice);
    if (choice) out.tool_choice = choice;
  }
  return out;
}

function toolChoice(choice: unknown): AnthropicRequest['tool_choice'] {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'required') return { type: 'any' };
  if (choice === 'none') return { type: 'none' };
  const name = (choice as { function?: { name?: string } } | undefined)?.function?.name;
  return name ? { type: 'tool', name } : undefined;
}

function contentBlocks(content: ChatMessage['content']): Block[] {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return content.length ? [{ type: 'text', text: content }] : [];
  const blocks: Block[] = [];
  for (const part of content as ChatContentPart[]) {
    if (part.type === 'text') blocks.push({ type: 'text', text: String((part as { text: string }).text) });
    else if (part.type === 'image_url') {
      const url = (part as { image_url: { url: string } }).image_url.url;
      const m = /^data:([^;]+);base64,(.*)$/s.exec(url);
      blocks.push(m ? { type: 'image', source: { type: 'base64', media_type: m[1] as string, data: m[2] as string } } : { type: 'image', source: { type: 'url', url } });
    }
  }
  return blocks;
}

function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return (content as ChatContentPart[])
    .filter((p) => p.type === 'text')
    .map((p) => String((p as { text: string }).text))
    .join('\n');
}

function parseArguments(args: string): unknown {
  try {
    return JSON.parse(args);
  } catch {
    return {};
  }
}
