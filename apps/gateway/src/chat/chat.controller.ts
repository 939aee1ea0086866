import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ChatService } from './chat.service';
import { validateChatRequest } from './chat-request.validator';
import { chatFormat } from './response-format';

/** `POST /v1/chat/completions`, OpenAI-compatible (JSON and SSE). */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class ChatController {
  constructor(private readonly chat: ChatService) {}

  @Post('chat/completions')
  @HttpCode(200)
  async completions(@Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.chat.handle(validateChatRequest(body), request, reply, chatFormat);
  }
}
