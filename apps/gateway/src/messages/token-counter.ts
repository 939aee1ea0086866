import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChatExchange } from '../chat/chat-exchange';
import { KeyAccess } from '../chat/key-access';
import { LimitsStep } from '../chat/limits-step';
import { ApiError } from '../errors/api-error';
import { Planner } from '../chat/planner';
import { PlanExecutor } from '../execution/plan-executor.service';
import { estimateTokens } from '../limits/token-estimate';
import { AnthropicAdapter } from '../providers/anthropic/anthropic.adapter';
import { messagesFormat, passedHeaders } from './messages-format';
import type { MessagesRequest } from './messages-request';

/**
 * `count_tokens`: within what the key may use, the request is planned like a message; when its
 * first target is an Anthropic model, that upstream's own count is the answer (its tokenizer is
 * not public). Any other target gets the gateway's estimate, the one its token limits reserve
 * with (about 4 characters a token), and the `x-iir-token-count: estimate` header says so.
 */
@Injectable()
export class TokenCounter {
  constructor(
    private readonly access: KeyAccess,
    private readonly limits: LimitsStep,
    private readonly planner: Planner,
    private readonly executor: PlanExecutor,
  ) {}

  async count(request: MessagesRequest, http: FastifyRequest, reply: FastifyReply): Promise<{ tokens: number; source: 'upstream' | 'estimate' }> {
    const exchange = new ChatExchange(request.chat, http, reply, messagesFormat(request, http.headers));
    await this.access.check(exchange);
    // A count is a request of the key's like any other (its RPM); it uses no tokens, so they go back.
    await this.limits.admitKey(exchange);
    try {
      const plan = await this.planner.plan(exchange);
      const anthropic = plan.targets.filter((t) => t.protocol === 'anthropic');
      if (plan.targets[0]?.protocol === 'anthropic') {
        const passed = passedHeaders(http.headers);
        try {
          const done = await this.executor.run({ ...plan, targets: anthropic }, request.chat, exchange.signal, async (adapter, call) => {
            if (!(adapter instanceof AnthropicAdapter)) throw new Error('an Anthropic target without the Anthropic adapter');
            return adapter.countTokens(call, JSON.stringify({ ...withoutGenerationFields(request.raw), model: call.target.upstreamModel }), passed);
          });
          return { tokens: done.value, source: 'upstream' };
        } catch (error) {
          // An Anthropic-protocol upstream without the endpoint (a proxy, an older API): the estimate.
          if (!(error instanceof ApiError && (error.status === 404 || error.status === 405))) throw error;
        }
      }
      return { tokens: estimateTokens({ ...request.chat, max_tokens: 1 }) - 1, source: 'estimate' };
    } finally {
      await this.limits.release(exchange);
    }
  }
}

/** count_tokens refuses the fields only a generation takes. */
function withoutGenerationFields(raw: Record<string, unknown>): Record<string, unknown> {
  const { max_tokens: _m, stream: _s, temperature: _t, top_p: _p, top_k: _k, stop_sequences: _q, metadata: _d, ...rest } = raw;
  return rest;
}
