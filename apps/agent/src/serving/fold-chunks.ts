import type { ChatCompletionChunk, ChatCompletionResponse, FinishReason, Usage } from '@iir/contracts';

/** A backend's stream as the one `chat.completion` a JSON caller wants (agents generate one choice). */
export async function foldChunks(chunks: AsyncIterable<ChatCompletionChunk>, model: string): Promise<ChatCompletionResponse> {
  let text = '';
  let finish: FinishReason = 'stop';
  let usage: Usage | undefined;
  let id: string | undefined;
  let created: number | undefined;
  for await (const chunk of chunks) {
    id ??= chunk.id;
    created ??= chunk.created;
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      if (typeof choice.delta?.content === 'string') text += choice.delta.content;
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  return {
    id: id ?? `chatcmpl-agent-${Date.now().toString(36)}`,
    object: 'chat.completion',
    created: created ?? Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: finish, logprobs: null }],
    ...(usage ? { usage } : {}),
  };
}
