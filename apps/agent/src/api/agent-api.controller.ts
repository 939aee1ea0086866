import { BusError, type ChatCompletionChunk, type ChatCompletionRequest } from '@iir/contracts';
import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { foldChunks } from '../serving/fold-chunks';
import { validateChat, validateEmbeddings } from '../serving/chat-validation';
import { InferenceService } from '../serving/inference.service';
import { MODEL_DIRECTORY } from '../agent.tokens';
import type { ModelDirectory } from '../serving/model-directory';
import { openAIError } from './agent-errors';

/**
 * The owner's API on `AGENT_PORT`: OpenAI's chat completions (JSON or SSE) and model list, and the
 * seed's `POST /infer`. The gateway reaches an HTTP-mode agent here too.
 */
@Controller()
export class AgentApiController {
  constructor(
    private readonly inference: InferenceService,
    @Inject(MODEL_DIRECTORY) private readonly models: ModelDirectory,
  ) {}

  @Get('v1/models')
  list(): unknown {
    return {
      object: 'list',
      data: this.models.current().map((m) => ({
        id: m.name,
        object: 'model',
        created: 0,
        owned_by: `iir-agent/${m.backend}`,
        loaded: m.loaded,
        ...(m.contextLength ? { context_length: m.contextLength } : {}),
      })),
    };
  }

  @Post('v1/chat/completions')
  @HttpCode(200)
  async chat(@Body() body: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const abort = abortOnClose(req, reply);
    try {
      const request = validateChat(body);
      if (request.stream === true) await this.stream(request, abort.signal, reply);
      else await reply.send(await foldChunks(this.inference.chat(request, abort.signal), request.model));
    } catch (error) {
      await sendError(reply, error);
    }
  }

  /** OpenAI's embeddings, for backends that make them. */
  @Post('v1/embeddings')
  @HttpCode(200)
  async embeddings(@Body() body: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const abort = abortOnClose(req, reply);
    try {
      await reply.send(await this.inference.embed(validateEmbeddings(body), abort.signal));
    } catch (error) {
      await sendError(reply, error);
    }
  }

  /** `{"model", "input": {"prompt", …params}}` → `{"output", "usage"}`. */
  @Post('infer')
  @HttpCode(200)
  async infer(@Body() body: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const abort = abortOnClose(req, reply);
    try {
      const request = validateChat(inferToChat(body));
      const done = await foldChunks(this.inference.chat(request, abort.signal), request.model);
      const choice = done.choices[0];
      await reply.send({ model: done.model, output: choice?.message.content ?? '', finish_reason: choice?.finish_reason ?? 'stop', usage: done.usage });
    } catch (error) {
      await sendError(reply, error);
    }
  }

  private async stream(request: ChatCompletionRequest, signal: AbortSignal, reply: FastifyReply): Promise<void> {
    const chunks = this.inference.chat(request, signal)[Symbol.asyncIterator]();
    // The first chunk decides the status: an unknown model or a full queue is still an HTTP error.
    const first = await chunks.next();
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const usage = request.stream_options?.include_usage === true;
    const write = (chunk: ChatCompletionChunk): void => {
      if (chunk.choices.length === 0 && chunk.usage && !usage) return;
      raw.write(`data: ${JSON.stringify(usage ? chunk : { ...chunk, usage: undefined })}\n\n`);
    };
    try {
      if (!first.done) write(first.value);
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) write(next.value);
      raw.write('data: [DONE]\n\n');
    } catch (error) {
      if (!signal.aborted) raw.write(`data: ${JSON.stringify(openAIError(error).body)}\n\n`);
    } finally {
      raw.end();
    }
  }
}

function inferToChat(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) throw new BusError('invalid_request_error', 'The request body must be a JSON object.');
  const { model, input } = body as { model?: unknown; input?: unknown };
  if (typeof input !== 'object' || input === null) throw new BusError('invalid_request_error', "'input' must be an object with a 'prompt'.", { param: 'input' });
  const { prompt, system, ...params } = input as Record<string, unknown>;
  if (typeof prompt !== 'string' || prompt.length === 0) throw new BusError('invalid_request_error', "'input.prompt' must be a non-empty string.", { param: 'input.prompt' });
  const messages = [...(typeof system === 'string' ? [{ role: 'system', content: system }] : []), { role: 'user', content: prompt }];
  return { ...params, model, messages, stream: false };
}

/** The client going away (socket closed before the answer ended) aborts the generation. */
function abortOnClose(req: FastifyRequest, reply: FastifyReply): AbortController {
  const abort = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) abort.abort();
  });
  req.raw.on('aborted', () => abort.abort());
  return abort;
}

async function sendError(reply: FastifyReply, error: unknown): Promise<void> {
  if (reply.sent || reply.raw.headersSent) return;
  const { status, body, retryAfterS } = openAIError(error);
  if (retryAfterS !== undefined) void reply.header('retry-after', String(retryAfterS));
  await reply.status(status).send(body);
}
