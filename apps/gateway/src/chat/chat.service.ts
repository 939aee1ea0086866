import type { ChatCompletionRequest, PlanResponse } from '@iir/contracts';
import { activeSpan, inSpan } from '@iir/platform';
import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestObserver } from '../observability/request-observer';
import { annotateRequestSpan } from '../observability/request-tracing';
import { CacheStep } from './cache-step';
import { ChatExchange } from './chat-exchange';
import { JsonResponder } from './json-responder';
import { KeyAccess } from './key-access';
import { LimitsStep } from './limits-step';
import { Planner } from './planner';
import type { ResponseFormat } from './response-format';
import { planRouteHeaders } from './route-receipt';
import { StreamResponder } from './stream-responder';

/**
 * One chat request, as a pipeline of steps that each do one job:
 *
 *   access → limits → cache → plan → execute (JSON or stream) → record
 *
 * The key decides first (a header or a `models` list only narrows it), then its limits; a cache
 * hit answers without a plan; otherwise the router's plan (narrowed to the key and the pin) runs
 * against the upstreams and the answer goes out in the endpoint's format. Whatever happened, the
 * reservations are settled and the outcome recorded. Every endpoint (chat, completions, /infer,
 * Anthropic messages) is this pipeline with its own `ResponseFormat`.
 */
@Injectable()
export class ChatService {
  constructor(
    private readonly access: KeyAccess,
    private readonly limits: LimitsStep,
    private readonly cache: CacheStep,
    private readonly planner: Planner,
    private readonly json: JsonResponder,
    private readonly streams: StreamResponder,
    private readonly observer: RequestObserver,
  ) {}

  async handle(body: ChatCompletionRequest, request: FastifyRequest, reply: FastifyReply, format: ResponseFormat): Promise<void> {
    const exchange = new ChatExchange(body, request, reply, format);
    this.observer.started();
    // With tracing on, each step is a child span of the request's (a plain call when off).
    const span = activeSpan();
    let plan: PlanResponse | undefined;
    let failure: unknown;
    try {
      await this.access.check(exchange);
      await inSpan('iir.limits', {}, () => this.limits.admitKey(exchange));
      const cached = await inSpan('iir.cache', {}, () => this.cache.lookup(exchange));
      if (cached.hit) {
        await this.cache.serve(exchange, cached.hit);
        await this.limits.release(exchange);
        return;
      }
      plan = await inSpan('iir.plan', {}, () => this.planner.plan(exchange));
      const responder = exchange.stream ? this.streams : this.json;
      await responder.respond(exchange, plan, this.limits.admitter(exchange), cached.store);
    } catch (error) {
      failure = error;
      exchange.failed(error);
      // An error answer still says which policy decided and why (the plan's part of the receipt).
      if (plan && !reply.sent) void reply.headers(planRouteHeaders(plan));
      throw error;
    } finally {
      this.limits.settle(exchange);
      this.observer.finished(exchange.outcome);
      if (span) annotateRequestSpan(span, exchange, failure);
    }
  }
}
