import { randomUUID } from 'node:crypto';
import {
  isAutoModel,
  isLocalTarget,
  ROUTE_PINS,
  toClassifierMessages,
  type ChatCompletionRequest,
  type PlanResponse,
  type RegistryClient,
  type RoutePin,
  type RouterClient,
  type Subscription,
  type Target,
  type Usage,
} from '@iir/contracts';
import { background, JsonLogger } from '@iir/platform';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { modelAccess, type ModelAccess } from '../auth/model-access';
import { CACHE_SETTINGS, type CacheSettings } from '../cache/cache-settings';
import { cacheDecision } from '../cache/cache-policy';
import { cacheHitHeaders, ResponseCache, type CacheMeta } from '../cache/response-cache';
import { replaySse } from '../cache/sse-replay';
import { StreamRecorder } from '../cache/stream-recorder';
import { principalOf, type Principal } from '../auth/principal';
import { ApiError } from '../errors/api-error';
import { PlanExecutor } from '../execution/plan-executor.service';
import { EXECUTION_SETTINGS, type ExecutionSettings } from '../execution/execution-settings';
import { SseWriter } from '../execution/sse';
import { REGISTRY_CLIENT, ROUTER_CLIENT } from '../gateway.tokens';
import type { Reservation } from '../limits/rate-limiter';
import { REQUEST_LIMITS, type RequestLimits } from '../limits/request-limits';
import { estimateTokens } from '../limits/token-estimate';
import { UpstreamError } from '../providers/provider';
import { ModelsCatalog } from '../models/models-catalog.service';
import { RequestObserver } from '../observability/request-observer';
import { RequestOutcome } from '../usage/request-outcome';
import { PlanCache } from './plan-cache';
import type { ResponseFormat } from './response-format';

/**
 * One chat request from plan to answer: the key's limits, ask the router where it goes (within the
 * key's allowed models), run the plan, send JSON or an SSE stream, settle the tokens and record the
 * usage. The client going away aborts the upstream call at once.
 */
@Injectable()
export class ChatService implements OnModuleInit, OnApplicationShutdown {
  private readonly plans = new PlanCache();
  private subscription: Subscription | undefined;

  constructor(
    @Inject(ROUTER_CLIENT) private readonly router: RouterClient,
    @Inject(REGISTRY_CLIENT) private readonly registry: RegistryClient,
    private readonly executor: PlanExecutor,
    @Inject(REQUEST_LIMITS) private readonly limits: RequestLimits,
    private readonly observer: RequestObserver,
    private readonly cache: ResponseCache,
    @Inject(CACHE_SETTINGS) private readonly cacheSettings: CacheSettings,
    private readonly logger: JsonLogger,
    private readonly models: ModelsCatalog,
    @Inject(EXECUTION_SETTINGS) private readonly execution: ExecutionSettings,
  ) {}

  onModuleInit(): void {
    // Every gateway replica drops its cached plans when the catalogue changes.
    this.subscription = this.registry.onChanged(() => this.plans.clear());
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  async handle(body: ChatCompletionRequest, request: FastifyRequest, reply: FastifyReply, format: ResponseFormat): Promise<void> {
    // Always our own id: it keys the ledger, so a client's id must never be able to collide with another request's.
    const requestId = randomUUID();
    const clientRequestId = clientRequestIdOf(request);
    const principal = principalOf(request);
    const outcome = new RequestOutcome(requestId, principal, body, clientRequestId);
    this.observer.started();
    let pin: RoutePin | undefined;
    void reply.header('x-request-id', requestId);
    if (clientRequestId !== null) void reply.header('x-client-request-id', clientRequestId);
    const abort = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    const reservations: Array<Reservation | undefined> = [];
    let estimated: number | undefined;
    const estimate = (): number => (estimated ??= estimateTokens(body));
    try {
      // The key decides before anything else (the cache, the plan): a header or a models list only narrows it.
      await this.assertAllowed(principal, body);
      pin = routePin(request);
      outcome.routePin = pin;
      const admitted = await this.limits.admitKey(principal, requestId, estimate);
      reservations.push(admitted.reservation);
      void reply.headers(admitted.headers);
      // The cache before the plan: a hit costs no bus hop and no upstream call (nor upstream tokens).
      const kind = body.stream === true ? 'stream' : 'json';
      const decision = cacheDecision(body, request.headers, this.cacheSettings.policy);
      const key = decision.read || decision.write ? this.cache.key(format.surface, body, kind) : '';
      const lookup = await this.cache.lookup(key, decision);
      // A stored answer serves only a request that could have produced it: a target the key may
      // use, and a local one under `x-iir-route: local-only`.
      const cached = lookup.cached && servable(lookup.cached.meta, principal, body.model, pin) ? lookup.cached : undefined;
      const result = lookup.cached && !cached ? 'miss' : lookup.result;
      void reply.header('x-iir-cache', result);
      outcome.cacheResult = result;
      if (cached) {
        outcome.resolvedModel = cached.meta.model;
        outcome.cacheHit = true;
        outcome.usage = cached.meta.usage;
        outcome.answered({ model: cached.meta.target, provider: cached.meta.provider });
        outcome.firstByte();
        const headers = { ...(reply.getHeaders() as Record<string, string>), 'x-request-id': requestId, ...cacheHitHeaders(cached.meta) };
        if (cached.kind === 'stream') {
          reply.hijack();
          replaySse(reply.raw, cached, headers);
        } else {
          // Serialized once per stored answer: a hot entry is the same object every time.
          await reply.headers({ ...headers, 'content-type': 'application/json; charset=utf-8' }).send(jsonText(cached.body));
        }
        // The hit used no upstream tokens: give the reservation back (its request slot stays used).
        await this.limits.settle(reservations.splice(0), undefined).catch(() => undefined);
        return;
      }
      const store = decision.write ? key : undefined;
      const plan = restrictToPin(restrictToAllowed(await this.plan(body, requestId, principal, pin), principal, body.model), pin, body.model);
      outcome.resolvedModel = plan.model;
      outcome.planned(plan);
      const admit = async (target: Target): Promise<ApiError | undefined> => {
        const result = await this.limits.admitTarget(target, requestId, estimate);
        if (result instanceof ApiError) return result;
        reservations.push(result);
        return undefined;
      };
      if (body.stream === true) {
        await this.stream(body, plan, abort.signal, reply, format, requestId, outcome, admit, store);
      } else {
        const done = await this.executor.run(plan, body, abort.signal, (adapter, call) => adapter.complete(call), admit);
        outcome.answered(done.target);
        outcome.attempts = done.attempts;
        outcome.usage = done.value.usage;
        void reply.headers(routeHeaders(plan, done.target, done.attempts));
        const answer = format.json(done.value);
        await reply.send(answer);
        if (store) background(() => this.cache.put(store, { kind: 'json', body: answer, meta: cacheMeta(plan, done.target, done.value.usage) }), (err) => this.cacheStoreFailed(err));
      }
    } catch (error) {
      outcome.failed(abort.signal.aborted ? clientClosed() : ApiError.from(error));
      throw error;
    } finally {
      void this.limits.settle(reservations, outcome.usage?.total_tokens).catch(() => undefined);
      this.observer.finished(outcome);
    }
  }

  /**
   * The key's allow-list on what the request names: the model (except `auto`, whose plan is narrowed
   * to the key's models instead) and every entry of its `models` list, by name or by the registry
   * name an alias stands for. Checked before the cache.
   */
  private async assertAllowed(principal: Principal, body: ChatCompletionRequest): Promise<void> {
    const access = modelAccess(principal.allowedModels);
    if (access.unrestricted) return;
    const allowed = async (name: string): Promise<boolean> => {
      if (access.allows(name)) return true;
      const canonical = await this.models.canonicalName(name);
      return canonical !== undefined && access.allows(canonical);
    };
    if (!isAutoModel(body.model) && !(await allowed(body.model))) throw denied(body.model);
    for (const name of body.models ?? []) if (!(await allowed(name))) throw denied(name, 'models');
  }

  private cacheStoreFailed(err: unknown): void {
    this.logger.write('warn', 'response cache store failed', { err });
  }

  /** The router's plan, or a cached one the router said may be reused. */
  private async plan(body: ChatCompletionRequest, requestId: string, principal: Principal, pin: RoutePin | undefined): Promise<PlanResponse> {
    const key = this.plans.key(body, pin);
    const cached = this.plans.get(key);
    if (cached) return cached;
    const askedAt = this.plans.generation;
    const plan = await this.router.plan({
      requestId,
      model: body.model,
      ...(body.models ? { models: body.models } : {}),
      stream: body.stream === true,
      ...(principal.keyId ? { keyId: principal.keyId } : {}),
      priority: principal.priority,
      // The pin binds every plan; `auto` also gets the turns the classifier needs.
      ...(pin ? { route: pin } : {}),
      ...(isAutoModel(body.model) ? { classify: toClassifierMessages(body.messages) } : {}),
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
    outcome: RequestOutcome,
    admit: (target: Target) => Promise<ApiError | undefined>,
    store: string | undefined,
  ): Promise<void> {
    const running = this.executor.run(plan, body, signal, (adapter, call) => adapter.stream(call), admit);
    const keepAliveMs = this.execution.sseKeepAliveMs;
    const early = keepAliveMs > 0 ? await settledWithin(running, keepAliveMs) : await running;
    let sse: SseWriter;
    let done: Awaited<typeof running>;
    if (early === STILL_WAITING) {
      // The upstream is still thinking after a keep-alive interval: the stream starts now, so the
      // client gets comments instead of silence (headers without the target, not known yet). A
      // failure from here on is an error event.
      reply.hijack();
      sse = new SseWriter(reply.raw);
      sse.open(200, { 'x-request-id': requestId, ...(reply.getHeaders() as Record<string, string>), ...planRouteHeaders(plan) });
      sse.keepAlive(keepAliveMs);
      try {
        done = await running;
      } catch (error) {
        const apiError = signal.aborted ? clientClosed() : error instanceof UpstreamError ? new ApiError(error.code, error.message) : ApiError.from(error);
        outcome.failed(apiError);
        if (!signal.aborted) this.logger.write('warn', 'stream failed before its first chunk, after it started', { requestId, err: error });
        sse.fail(apiError.toBody());
        return;
      }
    } else {
      done = early;
      // From here on the status is sent: failures become an error event, never a silent truncation.
      reply.hijack();
      sse = new SseWriter(reply.raw);
      sse.open(200, { 'x-request-id': requestId, ...(reply.getHeaders() as Record<string, string>), ...routeHeaders(plan, done.target, done.attempts) });
      sse.keepAlive(keepAliveMs);
    }
    const recorder = store ? new StreamRecorder({ maxBytes: this.cacheSettings.maxStreamBytes }) : undefined;
    outcome.answered(done.target);
    outcome.attempts = done.attempts;
    const includeUsage = body.stream_options?.include_usage === true;
    try {
      for await (const chunk of done.value.chunks) {
        if (sse.closed) break;
        outcome.firstByte();
        if (chunk.usage) {
          outcome.usage = chunk.usage as Usage;
          if (!includeUsage) {
            // The adapter asked the upstream for usage (to meter it); the client did not.
            if (chunk.choices.length === 0) continue;
            delete chunk.usage;
          }
        }
        const event = format.chunk(chunk);
        if (event !== undefined) {
          sse.data(event);
          recorder?.add(JSON.stringify(event));
        }
      }
      const completed = !sse.closed;
      if (sse.closed && signal.aborted) outcome.failed(clientClosed());
      sse.done();
      // Stored only if it ran to its end: a cut stream is never replayed as if it were whole.
      const entry = completed && store ? recorder?.finish(cacheMeta(plan, done.target, outcome.usage)) : undefined;
      if (entry && store) background(() => this.cache.put(store, entry), (err) => this.cacheStoreFailed(err));
    } catch (error) {
      if (signal.aborted) {
        outcome.failed(clientClosed());
        return;
      }
      const apiError =
        error instanceof UpstreamError
          ? new ApiError(error.code, error.message)
          : error instanceof ApiError
            ? error
            : new ApiError('upstream_error', 'The upstream failed while streaming.');
      outcome.failed(apiError);
      this.logger.write('warn', 'stream failed after it started', { requestId, target: done.target.model, err: error });
      sse.fail(apiError.toBody());
    }
  }
}

/** What the ledger records for a client that went away (nginx's 499). */
function clientClosed(): ApiError {
  return new ApiError('invalid_request_error', 'The client closed the request.', { status: 499 });
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

function cacheMeta(plan: PlanResponse, target: Target, usage: Usage | undefined): CacheMeta {
  return {
    model: plan.model,
    target: target.model,
    provider: target.provider,
    local: isLocalTarget(target),
    ...(usage ? { usage } : {}),
    storedAt: Date.now(),
  };
}

function denied(model: string, param = 'model'): ApiError {
  return new ApiError('permission_denied', `This API key may not use the model '${model}'.`, { param });
}


/** A target the key may use: on its list, or the model the (allowed) requested name resolved to. */
function mayUse(access: ModelAccess, target: string, resolved: string, requested: string): boolean {
  return access.allows(target) || (target === resolved && access.allows(requested));
}

function servable(meta: CacheMeta, principal: Principal, requested: string, pin: RoutePin | undefined): boolean {
  if (pin === 'local-only' && meta.local !== true) return false;
  const access = modelAccess(principal.allowedModels);
  return access.unrestricted || mayUse(access, meta.target, meta.model, requested);
}

/** Only the targets the key may use; none left is a 403 naming the model. */
function restrictToAllowed(plan: PlanResponse, principal: Principal, requested: string): PlanResponse {
  const access = modelAccess(principal.allowedModels);
  if (access.unrestricted) return plan;
  const targets = plan.targets.filter((t) => mayUse(access, t.model, plan.model, requested));
  if (targets.length === 0) throw denied(requested);
  return targets.length === plan.targets.length ? plan : { ...plan, targets };
}

/** `x-iir-route: local-only` is hard: the router enforces it, and the gateway again on the plan. */
function restrictToPin(plan: PlanResponse, pin: RoutePin | undefined, requested: string): PlanResponse {
  if (pin !== 'local-only') return plan;
  const targets = plan.targets.filter(isLocalTarget);
  if (targets.length === 0) {
    throw new ApiError('no_target_available', `x-iir-route: local-only, but no local target is available for '${requested}'.`);
  }
  return targets.length === plan.targets.length ? plan : { ...plan, targets };
}

/** `x-iir-route: local-only | prefer-local | remote-only`; anything else is the client's mistake. */
function routePin(request: FastifyRequest): RoutePin | undefined {
  const value = request.headers['x-iir-route'];
  if (value === undefined) return undefined;
  const pin = (Array.isArray(value) ? value[0] : value)?.trim().toLowerCase();
  if (pin && (ROUTE_PINS as readonly string[]).includes(pin)) return pin as RoutePin;
  throw new ApiError('invalid_request_error', `The x-iir-route header must be one of ${ROUTE_PINS.join(', ')}.`, { param: 'x-iir-route' });
}

/** The longest client request id kept; longer ones are cut. */
export const CLIENT_REQUEST_ID_MAX = 128;

/**
 * The client's own `x-request-id`, kept for correlation only (never a key): printable ASCII, cut to
 * 128 characters; anything else is dropped, never an error.
 */
export function clientRequestIdOf(request: FastifyRequest): string | null {
  const given = request.headers['x-request-id'];
  const value = (Array.isArray(given) ? given[0] : given)?.trim();
  if (!value || !/^[\x20-\x7e]+$/.test(value)) return null;
  return value.slice(0, CLIENT_REQUEST_ID_MAX);
}

/** Plans are reused (cached) objects: their part of the receipt is computed once per plan. */
const planHeaders = new WeakMap<PlanResponse, Record<string, string>>();

/** The routing receipt: where the request ran and why. Header values stay ASCII. */
export function routeHeaders(plan: PlanResponse, target: Target, attempts: number): Record<string, string> {
  return { ...planRouteHeaders(plan), 'x-iir-target': target.model, 'x-iir-provider': target.provider, 'x-iir-attempts': String(attempts) };
}

/** The route headers the plan alone decides (cached per plan). */
function planRouteHeaders(plan: PlanResponse): Record<string, string> {
  let fixed = planHeaders.get(plan);
  if (!fixed) {
    fixed = {
      'x-iir-model': plan.model,
      'x-iir-policy': plan.policy,
      'x-iir-route-reason': plan.reason.replace(/[^\x20-\x7e]/g, '?').slice(0, 256),
      ...(plan.auto
        ? {
            'x-iir-auto-tier': plan.auto.tier,
            ...(plan.auto.label ? { 'x-iir-auto-label': plan.auto.label } : {}),
            ...(plan.auto.confidence !== undefined ? { 'x-iir-auto-confidence': String(plan.auto.confidence) } : {}),
            ...(plan.auto.complexity ? { 'x-iir-auto-complexity': plan.auto.complexity } : {}),
          }
        : {}),
    };
    planHeaders.set(plan, fixed);
  }
  return fixed;
}

const STILL_WAITING = Symbol('still waiting');

/** `work`'s value if it settles within `ms`, else STILL_WAITING (`work` goes on; a rejection within `ms` rejects here). */
async function settledWithin<T>(work: Promise<T>, ms: number): Promise<T | typeof STILL_WAITING> {
  let timer: NodeJS.Timeout | undefined;
  const wait = new Promise<typeof STILL_WAITING>((resolve) => (timer = setTimeout(() => resolve(STILL_WAITING), ms)));
  try {
    return await Promise.race([work, wait]);
  } finally {
    clearTimeout(timer);
  }
}
