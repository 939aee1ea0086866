import type { ServerResponse } from 'node:http';
import { countTokens, FakeServer, type RecordedRequest } from './fake-server';

/**
 * A fake Anthropic Messages upstream: `POST /v1/messages`, JSON and the full SSE event sequence.
 * When the request offers tools and the last user message contains "use the tool", it answers
 * with a `tool_use` block for the first tool (input `{"city":"Paris"}`).
 */
export class FakeAnthropicServer extends FakeServer {
  get baseUrl(): string {
    return `${this.url}/v1`;
  }

  protected errorBody(status: number): unknown {
    const type =
      status === 429 ? 'rate_limit_error' : status === 529 ? 'overloaded_error' : status === 401 ? 'authentication_error' : status >= 500 ? 'api_error' : 'invalid_request_error';
    return { type: 'error', error: { type, message: `fake anthropic error ${status}` } };
  }

  protected async handle(req: RecordedRequest, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || req.path !== '/v1/messages') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(this.errorBody(404)));
      return;
    }
    if (!req.headers['x-api-key'] || !req.headers['anthropic-version']) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify(this.errorBody(401)));
      return;
    }
    const messages = (req.body['messages'] as Array<{ role: string; content: Array<{ type: string; text?: string }> }>) ?? [];
    const lastUser = [...messages].reverse().find((m) => m.role === 'user');
    const lastText = (lastUser?.content ?? []).map((b) => b.text ?? '').join(' ');
    const tools = (req.body['tools'] as Array<{ name: string }> | undefined) ?? [];
    const useTool = tools.length > 0 && lastText.includes('use the tool');
    const text = `You said: ${lastText.slice(0, 200)}`;
    const model = String(req.body['model'] ?? 'claude-fake');
    const inputTokens = countTokens(JSON.stringify(messages)) + countTokens(String(req.body['system'] ?? ''));
    const outputTokens = useTool ? 7 : countTokens(text);
    const id = `msg_fake${this.requests.length}`;
    const stopReason = useTool ? 'tool_use' : 'end_turn';
    const toolName = tools[0]?.name ?? 'tool';
    if (req.body['stream'] !== true) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: useTool ? [{ type: 'tool_use', id: 'toolu_fake1', name: toolName, input: { city: 'Paris' } }] : [{ type: 'text', text }],
          stop_reason: stopReason,
          stop_sequence: null,
          usage: { input_tokens: inputTokens, output_tokens: outputTokens },
        }),
      );
      return;
    }
    const ev = (type: string, data: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const events = [
      ev('message_start', {
        message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: inputTokens, output_tokens: 1 } },
      }),
      ev('ping', {}),
    ];
    if (useTool) {
      events.push(
        ev('content_block_start', { index: 0, content_block: { type: 'tool_use', id: 'toolu_fake1', name: toolName, input: {} } }),
        ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '{"city":' } }),
        ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: ' "Paris"}' } }),
        ev('content_block_stop', { index: 0 }),
      );
    } else {
      events.push(ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
      for (const w of text.split(/(?<= )/)) events.push(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: w } }));
      events.push(ev('content_block_stop', { index: 0 }));
    }
    events.push(
      ev('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } }),
      ev('message_stop', {}),
    );
    await this.writeEvents(res, events);
  }
}
