import type { ServerResponse } from 'node:http';
import { countTokens, FakeServer, type RecordedRequest } from './fake-server';

/** A fake OpenAI-compatible upstream: `POST /v1/chat/completions` (JSON and SSE), `GET /v1/models`. */
export class FakeOpenAIServer extends FakeServer {
  /** Leave usage out of responses (some OpenAI-compatible servers do). */
  omitUsage = false;
  /** The model id this server reports. */
  modelId = 'fake-model';

  get baseUrl(): string {
    return `${this.url}/v1`;
  }

  protected errorBody(status: number): unknown {
    const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
    return { error: { message: `fake upstream error ${status}`, type, param: null, code: status === 429 ? 'rate_limit_exceeded' : null } };
  }

  protected async handle(req: RecordedRequest, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && req.path === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: this.modelId, object: 'model', created: 1700000000, owned_by: 'fake' }] }));
      return;
    }
    if (req.method !== 'POST' || req.path !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(this.errorBody(404)));
      return;
    }
    const answer = this.answerFor(req.body);
    const model = typeof req.body['model'] === 'string' ? req.body['model'] : this.modelId;
    const promptTokens = countTokens(JSON.stringify(req.body['messages'] ?? ''));
    const completionTokens = countTokens(answer);
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
    const id = `chatcmpl-fake${this.requests.length}`;
    const created = Math.floor(Date.now() / 1000);
    if (req.body['stream'] !== true) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: answer, refusal: null }, finish_reason: 'stop', logprobs: null }],
          ...(this.omitUsage ? {} : { usage }),
        }),
      );
      return;
    }
    const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
    const words = answer.split(/(?<= )/);
    const events = [chunk({ role: 'assistant', content: '', refusal: null }, null), ...words.map((w) => chunk({ content: w }, null)), chunk({}, 'stop')];
    const includeUsage = (req.body['stream_options'] as { include_usage?: boolean } | undefined)?.include_usage === true;
    if (includeUsage && !this.omitUsage) {
      events.push(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`);
    }
    events.push('data: [DONE]\n\n');
    await this.writeEvents(res, events);
  }
}
