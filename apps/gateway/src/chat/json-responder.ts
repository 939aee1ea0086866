import type { PlanResponse, Target } from '@iir/contracts';
import { activeSpan } from '@iir/platform';
import { Injectable } from '@nestjs/common';
import type { ApiError } from '../errors/api-error';
import { PlanExecutor } from '../execution/plan-executor.service';
import type { ProtocolAdapter, UpstreamCall } from '../providers/provider';
import { captureAnswer } from '../observability/request-tracing';
import { CacheStep } from './cache-step';
import type { ChatExchange } from './chat-exchange';
import type { NativeAnswer, ResponseFormat } from './response-format';
import { cacheMeta, routeHeaders } from './route-receipt';

/** A non-streamed answer: run the plan, send the endpoint's JSON with the receipt, store it. */
@Injectable()
export class JsonResponder {
  constructor(
    private readonly executor: PlanExecutor,
    private readonly cache: CacheStep,
  ) {}

  async respond(exchange: ChatExchange, plan: PlanResponse, admit: (target: Target) => Promise<ApiError | undefined>, store: string | undefined): Promise<void> {
    const { format, reply } = exchange;
    const native = format.native;
    const done = await this.executor.run(
      plan,
      exchange.body,
      exchange.signal,
      (adapter, call) => (native?.handles(adapter) ? native.complete(adapter, call) : translated(adapter, call, format)),
      admit,
      native?.refuses ? (adapter, target) => native.refuses?.(adapter, target) : undefined,
    );
    exchange.answered(done.target, done.attempts);
    exchange.outcome.usage = done.value.usage;
    void reply.headers(routeHeaders(plan, done.target, done.attempts));
    const answer = done.value.body;
    await reply.send(answer);
    captureAnswer(activeSpan(), answer);
    if (store) this.cache.store(store, { kind: 'json', body: answer, meta: cacheMeta(plan, done.target, done.value.usage) });
  }
}

async function translated(adapter: ProtocolAdapter, call: UpstreamCall, format: ResponseFormat): Promise<NativeAnswer> {
  const response = await adapter.complete(call);
  return { body: format.json(response), usage: response.usage };
}
