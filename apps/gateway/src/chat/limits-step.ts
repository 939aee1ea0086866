import type { Target } from '@iir/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import { REQUEST_LIMITS, type RequestLimits } from '../limits/request-limits';
import type { ChatExchange } from './chat-exchange';

/**
 * The key's and the providers' limits on the request path: the key admits (or refuses with a 429)
 * before the cache and the plan, each provider before its target is tried, and every reservation
 * is settled with the tokens really used once the request is over.
 */
@Injectable()
export class LimitsStep {
  constructor(@Inject(REQUEST_LIMITS) private readonly limits: RequestLimits) {}

  async admitKey(exchange: ChatExchange): Promise<void> {
    const admitted = await this.limits.admitKey(exchange.principal, exchange.requestId, exchange.estimate);
    exchange.reservations.push(admitted.reservation);
    void exchange.reply.headers(admitted.headers);
  }

  /** Asked before each target is tried: an error skips it (a provider over its token budget). */
  admitter(exchange: ChatExchange): (target: Target) => Promise<ApiError | undefined> {
    return async (target) => {
      const result = await this.limits.admitTarget(target, exchange.requestId, exchange.estimate);
      if (result instanceof ApiError) return result;
      exchange.reservations.push(result);
      return undefined;
    };
  }

  /** A cache hit used no upstream tokens: its reservations go back (the request slot stays used). */
  async release(exchange: ChatExchange): Promise<void> {
    await this.limits.settle(exchange.reservations.splice(0), undefined).catch(() => undefined);
  }

  settle(exchange: ChatExchange): void {
    void this.limits.settle(exchange.reservations, exchange.outcome.usage?.total_tokens).catch(() => undefined);
  }
}
