import type { ChatCompletionRequest } from '@iir/contracts';
import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ChatService } from '../chat/chat.service';
import { validateChatRequest } from '../chat/chat-request.validator';
import { inferFormat, textCompletionFormat } from '../chat/response-format';
import { ApiError } from '../errors/api-error';

/**
 * The legacy prompt API (`POST /v1/completions`) and IIR's `POST /infer`, both mapped onto the chat
 * path: the prompt becomes one user message.
 */
@Controller()
@UseGuards(ApiKeyGuard)
export class CompletionsController {
  constructor(private readonly chat: ChatService) {}

  @Post('v1/completions')
  @HttpCode(200)
  async completions(@Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const b = asObject(body);
    const prompt = b['prompt'];
    const text = Array.isArray(prompt) && prompt.length === 1 ? prompt[0] : prompt;
    if (typeof text !== 'string') {
      throw new ApiError('invalid_request_error', "'prompt' must be a string (or an array of one string).", { param: 'prompt' });
    }
    const { prompt: _p, suffix: _s, echo: _e, best_of: _b, ...rest } = b;
    const chat = validateChatRequest({ ...rest, messages: [{ role: 'user', content: text }] });
    await this.chat.handle(chat, request, reply, textCompletionFormat);
  }

  @Post('infer')
  @HttpCode(200)
  async infer(@Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const b = asObject(body);
    const input = b['input'] as { prompt?: unknown } | undefined;
    if (typeof input !== 'object' || input === null || typeof input.prompt !== 'string') {
      throw new ApiError('invalid_request_error', "'input.prompt' must be a string.", { param: 'input.prompt' });
    }
    const { input: _i, ...params } = b;
    const chat: ChatCompletionRequest = validateChatRequest({
      ...params,
      stream: false,
      messages: [{ role: 'user', content: input.prompt }],
    });
    await this.chat.handle(chat, request, reply, inferFormat);
  }
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError('invalid_request_error', 'The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}
