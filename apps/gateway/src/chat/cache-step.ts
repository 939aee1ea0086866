import { background, JsonLogger } from '@iir/platform';
import { Inject, Injectable } from '@nestjs/common';
import { cacheDecision } from '../cache/cache-policy';
import { CACHE_SETTINGS, type CacheSettings } from '../cache/cache-settings';
import type { CachedResponse } from '../cache/cached-response';
import { cacheHitHeaders, ResponseCache } from '../cache/response-cache';
import { replaySse } from '../cache/sse-replay';
import type { ChatExchange } from './chat-exchange';
import { KeyAccess } from './key-access';

/** The cache's answer for a request: a servable stored answer, and/or the key to store a fresh one under. */
export interface CacheVerdict {
  hit?: CachedResponse;
  store?: string;
}

/**
 * The response cache on the request path: looked up before the plan (a hit costs no bus hop, no
 * upstream call and no upstream tokens), served in the endpoint's own shape, stored in the
 * background after a whole answer.
 */
@Injectable()
export class CacheStep {
  constructor(
    private readonly cache: ResponseCache,
    @Inject(CACHE_SETTINGS) private readonly settings: CacheSettings,
    private readonly access: KeyAccess,
    private readonly logger: JsonLogger,
  ) {}

  get maxStreamBytes(): number {
    return this.settings.maxStreamBytes;
  }

  async lookup(exchange: ChatExchange): Promise<CacheVerdict> {
    const { body, format, request, outcome } = exchange;
    const decision = cacheDecision(body, request.headers, this.settings.policy, format.deterministic === true);
    const key = decision.read || decision.write ? this.cache.key(format.surface, format.cacheBody ?? body, exchange.stream ? 'stream' : 'json') : '';
    const lookup = await this.cache.lookup(key, decision);
    // A stored answer serves only a request that could have produced it: a target the key may
    // use, and a local one under `x-iir-route: local-only`.
    const hit = lookup.cached && this.access.servable(lookup.cached.meta, exchange) ? lookup.cached : undefined;
    const result = lookup.cached && !hit ? 'miss' : lookup.result;
    void exchange.reply.header('x-iir-cache', result);
    outcome.cacheResult = result;
    return { ...(hit ? { hit } : {}), ...(decision.write ? { store: key } : {}) };
  }

  /** Answers from the store, with the original's receipt (and `age`). */
  async serve(exchange: ChatExchange, cached: CachedResponse): Promise<void> {
    const { outcome, reply } = exchange;
    outcome.resolvedModel = cached.meta.model;
    outcome.cacheHit = true;
    outcome.usage = cached.meta.usage;
    outcome.answered({ model: cached.meta.target, provider: cached.meta.provider });
    outcome.firstByte();
    const headers = { ...(reply.getHeaders() as Record<string, string>), 'x-request-id': exchange.requestId, ...cacheHitHeaders(cached.meta) };
    if (cached.kind === 'stream') {
      reply.hijack();
      replaySse(reply.raw, cached, headers);
    } else {
      // Serialized once per stored answer: a hot entry is the same object every time.
      await reply.headers({ ...headers, 'content-type': 'application/json; charset=utf-8' }).send(jsonText(cached.body));
    }
  }

  store(key: string, entry: CachedResponse): void {
    background(() => this.cache.put(key, entry), (err) => this.logger.write('warn', 'response cache store failed', { err }));
  }
}

const serialized = new WeakMap<object, string>();

function jsonText(body: unknown): string {
  if (typeof body !== 'object' || body === null) return JSON.stringify(body);
  let text = serialized.get(body);
  if (text === undefined) {
    text = JSON.stringify(body);
    serialized.set(body, text);
  }
  return text;
}
