import type { ChatCompletionChoice, ChatCompletionChunk, ChatCompletionResponse, ToolCall, Usage } from '@iir/contracts';

interface ChoiceDraft {
  role: 'assistant';
  content: string | null;
  refusal: string | null;
  toolCalls: Map<number, ToolCall>;
  finishReason: ChatCompletionChoice['finish_reason'];
  logprobs: unknown[] | null;
}

/**
 * Folds OpenAI chat completion chunks into the one `chat.completion` a JSON client expects:
 * content and refusals concatenated, tool calls merged by index (arguments appended), the last
 * finish reason and usage kept. Agents always answer in chunks; this is how a JSON request is served.
 */
export class CompletionAssembler {
  private id: string | undefined;
  private created: number | undefined;
  private model: string | undefined;
  private fingerprint: string | null | undefined;
  private usage: Usage | undefined;
  private readonly choices = new Map<number, ChoiceDraft>();
  count = 0;

  add(chunk: ChatCompletionChunk): void {
    this.count++;
    this.id ??= chunk.id;
    this.created ??= chunk.created;
    this.model ??= chunk.model;
    if (chunk.system_fingerprint !== undefined) this.fingerprint = chunk.system_fingerprint;
    if (chunk.usage) this.usage = chunk.usage;
    for (const c of chunk.choices ?? []) {
      const draft = this.choice(c.index ?? 0);
      const delta = c.delta ?? {};
      if (typeof delta.content === 'string') draft.content = (draft.content ?? '') + delta.content;
      if (typeof delta.refusal === 'string') draft.refusal = (draft.refusal ?? '') + delta.refusal;
      for (const call of delta.tool_calls ?? []) {
        const known = draft.toolCalls.get(call.index);
        if (!known) {
          draft.toolCalls.set(call.index, {
            id: call.id ?? '',
            type: 'function',
            function: { name: call.function?.name ?? '', arguments: call.function?.arguments ?? '' },
          });
        } else {
          if (call.id) known.id = call.id;
          known.function.name += call.function?.name ?? '';
          known.function.arguments += call.function?.arguments ?? '';
        }
      }
      const content = (c.logprobs as { content?: unknown } | null | undefined)?.content;
      if (Array.isArray(content)) draft.logprobs = [...(draft.logprobs ?? []), ...(content as unknown[])];
      if (c.finish_reason) draft.finishReason = c.finish_reason;
    }
  }

  finish(fallbackModel: string, now = Date.now()): ChatCompletionResponse {
    const indexes = [...this.choices.keys()].sort((a, b) => a - b);
    const choices: ChatCompletionChoice[] = indexes.map((index) => {
      const d = this.choices.get(index) as ChoiceDraft;
      const toolCalls = [...d.toolCalls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
      return {
        index,
        message: {
          role: d.role,
          content: d.content,
          refusal: d.refusal,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: d.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
        logprobs: d.logprobs ? { content: d.logprobs } : null,
      };
    });
    return {
      id: this.id ?? `chatcmpl-agent-${now.toString(36)}`,
      object: 'chat.completion',
      created: this.created ?? Math.floor(now / 1000),
      model: this.model ?? fallbackModel,
      choices,
      ...(this.usage ? { usage: this.usage } : {}),
      ...(this.fingerprint !== undefined ? { system_fingerprint: this.fingerprint } : {}),
    };
  }

  private choice(index: number): ChoiceDraft {
    let draft = this.choices.get(index);
    if (!draft) {
      draft = { role: 'assistant', content: null, refusal: null, toolCalls: new Map(), finishReason: null, logprobs: null };
      this.choices.set(index, draft);
    }
    return draft;
  }
}
