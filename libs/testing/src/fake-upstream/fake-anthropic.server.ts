import type { ServerResponse } from 'node:http';
import { deltas, estimateTokens, fragments, script, type ScriptTool } from './fake-script';
import { FakeServer, type FakeServerOptions, type RecordedRequest, type SseOut } from './fake-server';

interface AnthropicBlock {
  type?: unknown;
  text?: unknown;
  content?: unknown;
}
interface AnthropicMessage {
  role?: unknown;
  content?: unknown;
}

const INSTANT_TEXT = 'Hello! This is the fake upstream.';

/**
 * A fake Anthropic Messages upstream: `POST /v1/messages` (and `/v1/messages/count_tokens`), JSON and the full SSE sequence
 * (`message_start`, `ping`, `content_block_start`/`_delta`/`_stop` per block, `message_delta`
 * with `stop_reason` and usage, `message_stop`), each with its `event:` line. Answers follow
 * `fake-script.ts`: with tools offered and "use the tool" in the last user message it answers a
 * short text block then a `tool_use` block whose input streams as `input_json_delta` fragments.
 *
 * Like the real API it wants `x-api-key` (401 `authentication_error`; with `apiKey` set it must
 * match) and `anthropic-version` (400 `invalid_request_error`). It is stricter than the real API
 * on purpose: the first message must be `user`, roles must alternate, text blocks must be
 * non-empty, `temperature` at most 1, so translation mistakes show up in tests.
 */
export class FakeAnthropicServer extends FakeServer {
  private readonly instantJson: Buffer;
  private readonly instantSse: Buffer;

  constructor(options: FakeServerOptions = {}) {
    super(options);
    const usage = { input_tokens: 12, output_tokens: estimateTokens(INSTANT_TEXT) };
    const message = { id: 'msg_instant', type: 'message', role: 'assistant', model: 'claude-fake', stop_sequence: null };
    this.instantJson = Buffer.from(JSON.stringify({ ...message, content: [{ type: 'text', text: INSTANT_TEXT }], stop_reason: 'end_turn', usage }));
    this.instantSse = Buffer.from(
      textStream(message, INSTANT_TEXT, 'end_turn', null, usage)
        .map((e) => `event: ${e.event ?? ''}\ndata: ${e.data}\n\n`)
        .join(''),
    );
  }

  protected errorBody(status: number): unknown {
    return anthropicError(status);
  }

  protected streamErrorEvent(): SseOut {
    return { event: 'error', data: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }) };
  }

  protected handleInstant(method: string, path: string, raw: string, res: ServerResponse): void {
    if (method !== 'POST' || path !== '/v1/messages') {
      this.sendJson(res, 404, this.errorBody(404));
      return;
    }
    const stream = raw.includes('"stream":true');
    const payload = stream ? this.instantSse : this.instantJson;
    res.writeHead(200, { 'content-type': stream ? 'text/event-stream; charset=utf-8' : 'application/json', 'content-length': String(payload.length) });
    res.end(payload);
  }

  protected async handle(req: RecordedRequest, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || (req.path !== '/v1/messages' && req.path !== '/v1/messages/count_tokens')) {
      this.sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: 'Not found' } });
      return;
    }
    const key = req.headers['x-api-key'];
    if (typeof key !== 'string' || key.length === 0) {
      this.sendJson(res, 401, { type: 'error', error: { type: 'authentication_error', message: 'x-api-key header is required' } });
      return;
    }
    if (this.options.apiKey !== undefined && key !== this.options.apiKey) {
      this.sendJson(res, 401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
      return;
    }
    if (req.headers['anthropic-version'] === undefined) {
      this.sendJson(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } });
      return;
    }
    if (req.path === '/v1/messages/count_tokens') {
      // Its own count: the same figure the answers report as input_tokens.
      const messages = Array.isArray(req.body['messages']) ? (req.body['messages'] as AnthropicMessage[]) : [];
      if ('max_tokens' in req.body) {
        this.sendJson(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Extra inputs are not permitted' } });
        return;
      }
      this.sendJson(res, 200, { input_tokens: inputTokensOf(messages, req.body['system']) });
      return;
    }
    if (this.takeFailure(res)) return;
    const invalid = validate(req.body);
    if (invalid) {
      this.sendJson(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: invalid } });
      return;
    }
    await this.answer(req, res);
  }

  private async answer(req: RecordedRequest, res: ServerResponse): Promise<void> {
    const body = req.body;
    const messages = body['messages'] as AnthropicMessage[];
    const lastUser = [...messages].reverse().find((m) => m.role === 'user');
    const last = messages[messages.length - 1];
    const plan = script(
      {
        lastUserText: textOf(lastUser?.content),
        toolResult: last?.role === 'user' ? toolResultOf(last.content) : undefined,
        tools: toolsOf(body['tools']),
        stop: Array.isArray(body['stop_sequences']) ? (body['stop_sequences'] as unknown[]).filter((s): s is string => typeof s === 'string') : [],
        maxTokens: typeof body['max_tokens'] === 'number' ? body['max_tokens'] : undefined,
      },
      this.requestCount,
    );
    const inputTokens = inputTokensOf(messages, body['system']);
    const message = {
      id: `msg_fake${this.requestCount}`,
      type: 'message',
      role: 'assistant',
      model: String(body['model']),
    };
    const headers = { 'request-id': `req_fake${this.requestCount}` };
    const preface = plan.kind === 'tool' ? `I'll call ${plan.name}.` : '';
    const stopReason = plan.kind === 'tool' ? 'tool_use' : plan.finish === 'length' ? 'max_tokens' : plan.finish === 'stop_sequence' ? 'stop_sequence' : 'end_turn';
    const stopSequence = plan.kind === 'text' ? plan.stopSequence : null;
    const usage = { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: plan.tokens };
    if (body['stream'] !== true) {
      const content =
        plan.kind === 'tool'
          ? [{ type: 'text', text: preface }, { type: 'tool_use', id: toolUseId(plan.id), name: plan.name, input: plan.input }]
          : [{ type: 'text', text: plan.text }];
      this.sendJson(res, 200, { ...message, content, stop_reason: stopReason, stop_sequence: stopSequence, usage }, headers);
      return;
    }
    const events =
      plan.kind === 'tool'
        ? toolStream(message, preface, toolUseId(plan.id), plan.name, JSON.stringify(plan.input), usage)
        : textStream(message, plan.text, stopReason, stopSequence, usage);
    await this.writeEvents(res, events, headers);
  }
}

type Usage = { input_tokens: number; output_tokens: number };

function ev(type: string, data: Record<string, unknown>): SseOut {
  return { event: type, data: JSON.stringify({ type, ...data }) };
}

function start(message: Record<string, unknown>, usage: Usage): SseOut[] {
  return [
    ev('message_start', { message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } }),
    ev('ping', {}),
  ];
}

function textBlock(index: number, text: string): SseOut[] {
  return [
    ev('content_block_start', { index, content_block: { type: 'text', text: '' } }),
    ...deltas(text).map((piece) => ev('content_block_delta', { index, delta: { type: 'text_delta', text: piece } })),
    ev('content_block_stop', { index }),
  ];
}

function end(stopReason: string, stopSequence: string | null, usage: Usage): SseOut[] {
  return [
    ev('message_delta', { delta: { stop_reason: stopReason, stop_sequence: stopSequence }, usage: { output_tokens: usage.output_tokens } }),
    ev('message_stop', {}),
  ];
}

function textStream(message: Record<string, unknown>, text: string, stopReason: string, stopSequence: string | null, usage: Usage): SseOut[] {
  return [...start(message, usage), ...textBlock(0, text), ...end(stopReason, stopSequence, usage)];
}

function toolStream(message: Record<string, unknown>, preface: string, id: string, name: string, input: string, usage: Usage): SseOut[] {
  return [
    ...start(message, usage),
    ...textBlock(0, preface),
    ev('content_block_start', { index: 1, content_block: { type: 'tool_use', id, name, input: {} } }),
    // Anthropic opens a tool's input with an empty fragment.
    ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '' } }),
    ...fragments(input).map((piece) => ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: piece } })),
    ev('content_block_stop', { index: 1 }),
    ...end('tool_use', null, usage),
  ];
}

function toolUseId(callId: string): string {
  return callId.replace(/^call_/, 'toolu_');
}

/** Anthropic's error bodies, per status. */
function anthropicError(status: number): { type: 'error'; error: { type: string; message: string } } {
  const [type, message] = ((): [string, string] => {
    switch (status) {
      case 400:
        return ['invalid_request_error', 'There was an issue with the format or content of your request.'];
      case 401:
        return ['authentication_error', 'invalid x-api-key'];
      case 403:
        return ['permission_error', 'Your API key does not have permission to use the specified resource.'];
      case 404:
        return ['not_found_error', 'The requested resource could not be found.'];
      case 413:
        return ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'];
      case 429:
        return ['rate_limit_error', 'Number of requests has exceeded your per-minute rate limit.'];
      case 529:
        return ['overloaded_error', 'Overloaded'];
      default:
        return status >= 500 ? ['api_error', 'Internal server error'] : ['invalid_request_error', `Request failed with status ${status}.`];
    }
  })();
  return { type: 'error', error: { type, message } };
}

function validate(body: Record<string, unknown>): string | undefined {
  if (typeof body['model'] !== 'string' || body['model'].length === 0) return 'model: Field required';
  if (typeof body['max_tokens'] !== 'number') return 'max_tokens: Field required';
  if (typeof body['temperature'] === 'number' && body['temperature'] > 1) return 'temperature: Input should be less than or equal to 1';
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) return 'messages: at least one message is required';
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as AnthropicMessage;
    if (m.role !== 'user' && m.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (i === 0 && m.role !== 'user') return 'messages: first message must use the "user" role';
    if (i > 0 && (messages[i - 1] as AnthropicMessage).role === m.role) return 'messages: roles must alternate between "user" and "assistant"';
    if (Array.isArray(m.content)) {
      for (const block of m.content as AnthropicBlock[]) {
        if (block.type === 'text' && (typeof block.text !== 'string' || block.text.length === 0)) {
          return `messages.${i}: text content blocks must be non-empty`;
        }
      }
    } else if (typeof m.content !== 'string' || m.content.length === 0) {
      return `messages.${i}: content must be a non-empty string or an array of blocks`;
    }
  }
  return undefined;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as AnthropicBlock[])
    .map((b) => (b.type === 'text' && typeof b.text === 'string' ? b.text : ''))
    .filter(Boolean)
    .join(' ');
}

function toolResultOf(content: unknown): string | undefined {
  if (!Array.isArray(content)) return undefined;
  const result = (content as AnthropicBlock[]).find((b) => b.type === 'tool_result');
  if (!result) return undefined;
  return typeof result.content === 'string' ? result.content : textOf(result.content);
}

function inputTokensOf(messages: AnthropicMessage[], system: unknown): number {
  return messages.reduce((sum, m) => sum + 4 + estimateTokens(textOf(m.content)), estimateTokens(systemOf(system)));
}

function systemOf(system: unknown): string {
  return typeof system === 'string' ? system : textOf(system);
}

function toolsOf(tools: unknown): ScriptTool[] {
  if (!Array.isArray(tools)) return [];
  return tools.flatMap((tool: unknown) => {
    const t = tool as { name?: unknown; input_schema?: unknown } | null;
    return typeof t?.name === 'string' ? [{ name: t.name, schema: t.input_schema as Record<string, unknown> | undefined }] : [];
  });
}
