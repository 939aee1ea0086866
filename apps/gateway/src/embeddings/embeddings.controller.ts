import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ChatService } from '../chat/chat.service';
import { embeddingsFormat } from './embeddings-format';
import { parseEmbeddingsRequest } from './embeddings-request';

/** `POST /v1/embeddings`, OpenAI-compatible, on the same request path as chat (keys, limits, cache, plan, fallbacks, ledger). */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class EmbeddingsController {
  constructor(private readonly chat: ChatService) {}

  @Post('embeddings')
  @HttpCode(200)
  async create(@Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { request: embeddings, view } = parseEmbeddingsRequest(body);
    await this.chat.handle(view, request, reply, embeddingsFormat(embeddings));
  }
}
