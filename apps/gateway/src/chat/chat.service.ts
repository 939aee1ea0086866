import { randomUUID } from 'node:crypto';
import type { ChatCompletionRequest, PlanResponse, RegistryClient, RouterClient, Subscription, Target } from '@iir/contracts';
import { JsonLogger } from '@iir/platform';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error';
import { PlanExecutor } from '../execution/plan-executor.service';
import { SseWriter } from '../execution/sse';
import { UpstreamError } from '../providers/provider';
import { REGISTRY_CLIENT, ROUTER_CLIENT } from '../gateway.tokens';
import { PlanCache } from './plan-cache';
import type { ResponseFormat } from './response-format';

/**
 * One chat request from plan to answer: ask the router where it goes, run the plan, send JSON or
 * an SSE stream. The client going away aborts the upstream call at once.
 */
@Injectable()
export class ChatService implements OnModuleInit, OnApplicationShutdown {
  private readonly plans = new PlanCache();
  private subscription: Subscription | undefined;

  constructor(
    @Inject(ROUTER_CLIENT) private readonly router: RouterClient,
    @Inject(REGISTRY_CLIENT) private readonly registry: RegistryClient,
    private readonly executor: PlanExecutor,
    private readonly logger: JsonLogger,
  ) {}

  onModuleInit(): void {
    // Every gateway replica drops its cached plans when the catalogue changes.
    this.subscription = this.registry.onChanged(() => this.plans.clear());
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  async handle(body: ChatCompletionRequest, request: FastifyRequest, reply: FastifyReply, format: ResponseFormat): Promise<void> {
    const requestId = requestIdOf(request);
    void reply.header('x-request-id', requestId);
    const abort = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    const plan = await this.plan(body, requestId);
    if (body.stream === true) {
      await this.stream(body, plan, abort.signal, reply, format, requestId);
    } else {
      const done = await this.executor.run(plan, body, abort.signal, (adapter, call) => adapter.complete(call));
      void reply.headers(routeHeaders(plan, done.target, done.attempts));
      await reply.send(format.json(done.value));
    }
  }

  /** The router's plan, or a cached one the router said may be reused. */
  private async plan(body: ChatCompletionRequest, requestId: string): Promise<PlanResponse> {
    const key = this.plans.key(body);
    const cached = this.plans.get(key);
    if (cached) return cached;
    const askedAt = this.plans.generation;
    const plan = await this.router.plan({
      requestId,
      model: body.model,
      ...(body.models ? { models: body.models } : {}),
      stream: body.stream === true,
    });
    this.plans.set(key, plan, askedAt);
    return plan;
  }

  private async stream(
    body: ChatCompletionRequest,
    plan: PlanResponse,
    signal: AbortSignal,
    reply: FastifyReply,
    format: ResponseFormat,
    requestId: string,
  ): Promise<void> {
    const done = await this.executor.run(plan, body, signal, (adapter, call) => adapter.stream(call));
    // From here on the status is sent: failures become an error event, never a silent truncation.
    reply.hijack();
    const sse = new SseWriter(reply.raw);
    sse.open(200, { 'x-request-id': requestId, ...routeHeaders(plan, done.target, done.attempts) });
    const includeUsage = body.stream_options?.include_usage === true;
    try {
      for await (const chunk of done.value.chunks) {
        if (sse.closed) break;
        if (chunk.usage && !includeUsage) {
          // The adapter asked the upstream for usage (to meter it); the client did not.
          if (chunk.choices.length === 0) continue;
          delete chunk.usage;
        }
        const event = format.chunk(chunk);
        if (event !== undefined) sse.data(event);
      }
      sse.done();
    } catch (error) {
      if (signal.aborted) return;
      const apiError =
        error instanceof UpstreamError
          ? new ApiError(error.code, error.message)
          : error instanceof ApiError
            ? error
            : new ApiError('upstream_error', 'The upstream failed while streaming.');
      this.logger.write('warn', 'stream failed after it started', { requestId, target: done.target.model, err: error });
      sse.fail(apiError.toBody());
    }
  }
}

function requestIdOf(request: FastifyRequest): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

/** Plans are reused (cached) objects: their part of the receipt is computed once per plan. */
const planHeaders = new WeakMap<PlanResponse, Record<string, string>>();

/** The routing receipt: where the request ran and why. Header values stay ASCII. */
export function routeHeaders(plan: PlanResponse, target: Target, attempts: number): Record<string, string> {
  let fixed = planHeaders.get(plan);
  if (!fixed) {
    fixed = {
      'x-iir-model': plan.model,
      'x-iir-policy': plan.policy,
      'x-iir-route-reason': plan.reason.replace(/[^\x20-\x7e]/g, '?').slice(0, 256),
    };
    planHeaders.set(plan, fixed);
  }
  return { ...fixed, 'x-iir-target': target.model, 'x-iir-provider': target.provider, 'x-iir-attempts': String(attempts) };
}
