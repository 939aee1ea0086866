import type { ServerResponse } from 'node:http';
import { deltas, estimateTokens, fragments, script, type Script, type ScriptTool } from './fake-script';
import { FakeServer, type FakeServerOptions, type RecordedRequest, type SseOut } from './fake-server';

interface OpenAIMessage {
  role?: unknown;
  content?: unknown;
}

const INSTANT_TEXT = 'Hello! This is the fake upstream.';

/**
 * A fake OpenAI-compatible upstream: `POST /v1/chat/completions` (JSON, and SSE framed as OpenAI
 * does: `data: {chunk}` events, the first with the role, content in word-sized chunks, a last
 * chunk with `finish_reason`, a usage-only chunk when `stream_options.include_usage`, then
 * `data: [DONE]`), `POST /v1/embeddings` (a deterministic unit vector per input, 8 numbers or
 * `dimensions`, `float` or `base64`) and `GET /v1/models`. Answers follow `fake-script.ts`. With `apiKey` set it
 * wants `Authorization: Bearer <apiKey>`.
 */
export class FakeOpenAIServer extends FakeServer {
  /** Leave usage out of responses and streams (as some compatible servers do). */
  omitUsage = false;
  /** The model `GET /v1/models` lists, and the one instant mode answers with. */
  modelId = 'fake-model';
  private readonly instantJson: Buffer;
  private readonly instantSse: Buffer;
  private readonly instantSseWithUsage: Buffer;

  /** `instantText`: what instant mode answers (one SSE chunk per word, plus the role and finish chunks). */
  constructor(options: FakeServerOptions & { instantText?: string } = {}) {
    super(options);
    const text = options.instantText ?? INSTANT_TEXT;
    const promptTokens = 12;
    const completionTokens = estimateTokens(text);
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
    const base = { id: 'chatcmpl-instant', created: 1_700_000_000, model: this.modelId, system_fingerprint: 'fp_fake' };
    this.instantJson = Buffer.from(
      JSON.stringify({
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: 'stop' }],
        usage,
      }),
    );
    const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
      `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
    const body = [chunk({ role: 'assistant', content: '', refusal: null }, null), ...deltas(text).map((d) => chunk({ content: d }, null)), chunk({}, 'stop')].join('');
    const usageChunk = `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`;
    this.instantSse = Buffer.from(`${body}data: [DONE]\n\n`);
    this.instantSseWithUsage = Buffer.from(`${body}${usageChunk}data: [DONE]\n\n`);
  }

  override reset(): void {
    super.reset();
    this.omitUsage = false;
  }

  protected errorBody(status: number): unknown {
    return { error: openAIError(status) };
  }

  protected streamErrorEvent(): SseOut {
    return { data: JSON.stringify({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } }) };
  }

  protected handleInstant(method: string, path: string, raw: string, res: ServerResponse): void {
    if (method !== 'POST' || path !== '/v1/chat/completions') {
      this.sendJson(res, 404, this.errorBody(404));
      return;
    }
    if (!raw.includes('"stream":true')) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(this.instantJson.length) });
      res.end(this.instantJson);
      return;
    }
    const sse = raw.includes('"include_usage":true') ? this.instantSseWithUsage : this.instantSse;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.end(sse);
  }

  protected async handle(req: RecordedRequest, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && req.path === '/v1/models') {
      this.sendJson(res, 200, { object: 'list', data: [{ id: this.modelId, object: 'model', created: 1_700_000_000, owned_by: 'fake' }] });
      return;
    }
    if (req.method === 'POST' && req.path === '/v1/embeddings') {
      if (!this.authorized(req)) {
        this.sendJson(res, 401, { error: openAIError(401) });
        return;
      }
      if (this.takeFailure(res)) return;
      const answer = embeddings(req.body);
      if ('error' in answer) this.sendJson(res, 400, answer);
      else this.sendJson(res, 200, answer);
      return;
    }
    if (req.method !== 'POST' || req.path !== '/v1/chat/completions') {
      this.sendJson(res, 404, { error: { message: `Invalid URL (${req.method} ${req.path})`, type: 'invalid_request_error', param: null, code: null } });
      return;
    }
    if (!this.authorized(req)) {
      this.sendJson(res, 401, { error: { ...openAIError(401), message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.' } });
      return;
    }
    if (this.takeFailure(res)) return;
    const invalid = validate(req.body);
    if (invalid) {
      this.sendJson(res, 400, { error: { message: invalid.message, type: 'invalid_request_error', param: invalid.param, code: null } });
      return;
    }
    await this.answer(req, res);
  }

  private authorized(req: RecordedRequest): boolean {
    return this.options.apiKey === undefined || req.headers.authorization === `Bearer ${this.options.apiKey}`;
  }

  private async answer(req: RecordedRequest, res: ServerResponse): Promise<void> {
    const body = req.body;
    const messages = body['messages'] as OpenAIMessage[];
    const last = messages[messages.length - 1];
    const plan = script(
      {
        lastUserText: textOf([...messages].reverse().find((m) => m.role === 'user')?.content),
        toolResult: last?.role === 'tool' ? textOf(last.content) : undefined,
        tools: toolsOf(body['tools']),
        stop: stopsOf(body['stop']),
        maxTokens: numberOf(body['max_completion_tokens']) ?? numberOf(body['max_tokens']),
      },
      this.requestCount,
    );
    const promptTokens = messages.reduce((sum, m) => sum + 4 + estimateTokens(textOf(m.content)), 3);
    const usage = { prompt_tokens: promptTokens, completion_tokens: plan.tokens, total_tokens: promptTokens + plan.tokens };
    const head = {
      id: `chatcmpl-fake${this.requestCount}`,
      created: Math.floor(Date.now() / 1000),
      model: typeof body['model'] === 'string' ? body['model'] : this.modelId,
      system_fingerprint: 'fp_fake',
    };
    const headers = { 'x-request-id': `req_fake${this.requestCount}` };
    const finish = plan.kind === 'tool' ? 'tool_calls' : plan.finish === 'length' ? 'length' : 'stop';
    if (body['stream'] !== true) {
      this.sendJson(
        res,
        200,
        {
          ...head,
          object: 'chat.completion',
          choices: [{ index: 0, message: message(plan), logprobs: null, finish_reason: finish }],
          ...(this.omitUsage ? {} : { usage: { ...usage, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } } }),
        },
        headers,
      );
      return;
    }
    const chunk = (delta: Record<string, unknown>, finishReason: string | null): SseOut => ({
      data: JSON.stringify({ ...head, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] }),
    });
    const events: SseOut[] = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
    if (plan.kind === 'tool') {
      events.push(chunk({ tool_calls: [{ index: 0, id: plan.id, type: 'function', function: { name: plan.name, arguments: '' } }] }, null));
      for (const piece of fragments(JSON.stringify(plan.input))) events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null));
    } else {
      for (const piece of deltas(plan.text)) events.push(chunk({ content: piece }, null));
    }
    events.push(chunk({}, finish));
    const streamOptions = body['stream_options'] as { include_usage?: unknown } | undefined;
    if (streamOptions?.include_usage === true && !this.omitUsage) {
      events.push({ data: JSON.stringify({ ...head, object: 'chat.completion.chunk', choices: [], usage }) });
    }
    events.push({ data: '[DONE]' });
    await this.writeEvents(res, events, headers);
  }
}

function message(plan: Script): Record<string, unknown> {
  if (plan.kind === 'text') return { role: 'assistant', content: plan.text, refusal: null };
  return {
    role: 'assistant',
    content: null,
    refusal: null,
    tool_calls: [{ id: plan.id, type: 'function', function: { name: plan.name, arguments: JSON.stringify(plan.input) } }],
  };
}

function validate(body: Record<string, unknown>): { message: string; param: string | null } | undefined {
  if (typeof body['model'] !== 'string' || body['model'].length === 0) return { message: 'you must provide a model parameter', param: null };
  const messages = body['messages'];
  if (!Array.isArray(messages)) return { message: "Missing required parameter: 'messages'.", param: 'messages' };
  if (messages.length === 0) return { message: "Invalid 'messages': empty array. Expected an array with minimum length 1.", param: 'messages' };
  return undefined;
}

/** OpenAI's error objects, per status. */
function openAIError(status: number): { message: string; type: string; param: string | null; code: string | null } {
  switch (status) {
    case 400:
      return { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null };
    case 401:
      return { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' };
    case 403:
      return { message: 'Country, region, or territory not supported', type: 'request_forbidden', param: null, code: 'unsupported_country_region_territory' };
    case 404:
      return { message: 'The model `fake-missing` does not exist or you do not have access to it.', type: 'invalid_request_error', param: null, code: 'model_not_found' };
    case 429:
      return { message: 'Rate limit reached for requests. Please try again in 1s.', type: 'requests', param: null, code: 'rate_limit_exceeded' };
    case 503:
      return { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', param: null, code: null };
    default:
      return status >= 500
        ? { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null }
        : { message: `Request failed with status ${status}.`, type: 'invalid_request_error', param: null, code: null };
  }
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) => (typeof part === 'object' && part !== null && (part as { type?: unknown }).type === 'text' ? String((part as { text?: unknown }).text ?? '') : ''))
    .filter(Boolean)
    .join(' ');
}

function toolsOf(tools: unknown): ScriptTool[] {
  if (!Array.isArray(tools)) return [];
  return tools.flatMap((tool: unknown) => {
    const fn = (tool as { function?: { name?: unknown; parameters?: unknown } } | null)?.function;
    return typeof fn?.name === 'string' ? [{ name: fn.name, schema: fn.parameters as Record<string, unknown> | undefined }] : [];
  });
}

function stopsOf(stop: unknown): string[] {
  if (typeof stop === 'string') return [stop];
  return Array.isArray(stop) ? stop.filter((s): s is string => typeof s === 'string') : [];
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** The vector the fake gives a text: deterministic, unit length, `dimensions` long. */
export function fakeEmbedding(text: string, dimensions = 8): number[] {
  let seed = 2166136261;
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 16777619) >>> 0;
  const values: number[] = [];
  for (let i = 0; i < dimensions; i++) {
    seed = Math.imul(seed ^ (seed >>> 15), 2246822507) >>> 0;
    values.push((seed / 0xffffffff) * 2 - 1);
  }
  const norm = Math.hypot(...values) || 1;
  return values.map((v) => Math.fround(v / norm));
}

function embeddings(body: Record<string, unknown>): Record<string, unknown> {
  const input = body['input'];
  const texts = typeof input === 'string' ? [input] : Array.isArray(input) && input.every((t) => typeof t === 'string') ? (input as string[]) : undefined;
  if (typeof body['model'] !== 'string' || texts === undefined || texts.length === 0) {
    return { error: { message: "'input' must be a string or a list of strings.", type: 'invalid_request_error', param: 'input', code: null } };
  }
  const dimensions = typeof body['dimensions'] === 'number' ? body['dimensions'] : 8;
  const base64 = body['encoding_format'] === 'base64';
  const tokens = texts.reduce((sum, t) => sum + estimateTokens(t), 0);
  return {
    object: 'list',
    model: body['model'],
    data: texts.map((text, index) => {
      const vector = fakeEmbedding(text, dimensions);
      return { object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector };
    }),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
