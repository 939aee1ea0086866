import type { ChatCompletionChunk, FinishReason, Usage } from '@iir/contracts';

/** Builds one answer's chunks with a shared id, creation time and model name. */
export class ChunkWriter {
  private readonly id = `chatcmpl-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(private readonly model: string) {}

  delta(delta: Record<string, unknown>, finish: FinishReason | null = null): ChatCompletionChunk {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] } as ChatCompletionChunk;
  }

  usage(usage: Usage): ChatCompletionChunk {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage } as ChatCompletionChunk;
  }
}

/** Plain text of an OpenAI message content (a string or text parts). */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p: { type?: string; text?: unknown }) => (p?.type === 'text' && typeof p.text === 'string' ? p.text : '')).join('');
}
