import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ChatService } from '../chat/chat.service';
import { messagesFormat } from './messages-format';
import { parseMessagesRequest } from './messages-request';
import { TokenCounter } from './token-counter';

/**
 * Anthropic's Messages API, inbound: `POST /v1/messages` (JSON and SSE) runs the same pipeline as
 * chat completions (keys, limits, cache, plan, fallbacks, ledger, receipt) and answers in
 * Anthropic's shapes, errors included; `POST /v1/messages/count_tokens` counts a request's input.
 * The key comes as `x-api-key` (Anthropic's SDKs) or `Authorization: Bearer`.
 */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class MessagesController {
  constructor(
    private readonly chat: ChatService,
    private readonly counter: TokenCounter,
  ) {}

  @Post('messages')
  @HttpCode(200)
  async create(@Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const parsed = parseMessagesRequest(body);
    await this.chat.handle(parsed.chat, request, reply, messagesFormat(parsed, request.headers));
  }

  @Post('messages/count_tokens')
  @HttpCode(200)
  async countTokens(@Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const parsed = parseMessagesRequest(body, true);
    const counted = await this.counter.count(parsed, request, reply);
    await reply.header('x-iir-token-count', counted.source).send({ input_tokens: counted.tokens });
  }
}
