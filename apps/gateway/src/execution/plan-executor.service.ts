import type { AttemptReportedEvent, ChatCompletionRequest, PlanResponse, RouterClient, Target } from '@iir/contracts';
import { inSpan, SpanKind, tracingEnabled } from '@iir/platform';
import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../errors/api-error';
import { ROUTER_CLIENT } from '../gateway.tokens';
import { ProviderCatalog } from '../providers/provider-catalog';
import { UpstreamError, type ProtocolAdapter, type UpstreamCall } from '../providers/provider';
import { gatewayMetrics, type AttemptOutcome } from '../observability/gateway-metrics';
import { EXECUTION_SETTINGS, type ExecutionSettings } from './execution-settings';

/** What a successful execution tells the caller besides the value. */
export interface Executed<T> {
  value: T;
  target: Target;
  attempts: number;
}

/**
 * Runs a plan against the upstreams: tries each target in order, retrying a retryable failure
 * (connect error, timeout, 429, 5xx — all before the upstream's first byte) with jittered
 * exponential backoff, then falls back to the next target. A non-retryable answer (the provider
 * says the request is bad) goes straight back to the client.
 */
@Injectable()
export class PlanExecutor {
  private readonly metrics = gatewayMetrics();
  private readonly reports = new ReportThrottle();

  constructor(
    private readonly providers: ProviderCatalog,
    @Inject(EXECUTION_SETTINGS) private readonly settings: ExecutionSettings,
    @Inject(ROUTER_CLIENT) private readonly router: RouterClient,
  ) {}

  /**
   * `admit`, when given, is asked before a target is tried; an `ApiError` from it skips the target
   * (a provider over its token budget) and is what the client gets if no target is left. `refuse`
   * is asked first: a target whose protocol cannot do the operation at all (embeddings on
   * Anthropic) is skipped before anything is reserved for it.
   */
  async run<T>(
    plan: PlanResponse,
    body: ChatCompletionRequest,
    signal: AbortSignal,
    invoke: (adapter: ProtocolAdapter, call: UpstreamCall) => Promise<T>,
    admit?: (target: Target) => Promise<ApiError | undefined>,
    refuse?: (adapter: ProtocolAdapter, target: Target) => ApiError | undefined,
  ): Promise<Executed<T>> {
    let attempts = 0;
    let last: UpstreamError | undefined;
    let lastTarget: Target | undefined;
    let skipped: ApiError | undefined;
    let tried = 0;
    for (const target of plan.targets) {
      if (refuse) {
        let refusal: ApiError | undefined;
        try {
          refusal = refuse(this.providers.adapter(target.protocol), target);
        } catch {
          // no adapter for the protocol: the attempt below says so
        }
        if (refusal) {
          skipped = refusal;
          continue;
        }
      }
      if (admit) {
        const refused = await admit(target);
        if (refused) {
          skipped = refused;
          continue;
        }
      }
      const provider = this.providers.descriptor(target);
      const call: UpstreamCall = {
        target,
        provider,
        body: upstreamBody(body, target),
        apiKey: this.providers.apiKey(provider),
        signal,
        timeouts: {
          connectMs: this.settings.connectTimeoutMs,
          firstByteMs: this.settings.firstByteTimeoutMs,
          totalMs: this.settings.totalTimeoutMs,
          idleMs: this.settings.idleTimeoutMs,
        },
      };
      if (tried++ > 0) this.metrics.fallbacks.inc({ model: plan.model });
      for (let tryNo = 0; tryNo <= this.settings.retriesPerTarget; tryNo++) {
        if (signal.aborted) throw new ApiError('invalid_request_error', 'The client closed the request.', { status: 499 });
        attempts++;
        if (tryNo > 0) this.metrics.retries.inc({ provider: target.provider });
        const startedAt = performance.now();
        try {
          const adapter = this.providers.adapter(target.protocol);
          // With tracing on, each attempt is a client span (until the answer, or a stream's first event).
          const value = tracingEnabled()
            ? await inSpan(`chat ${target.upstreamModel}`, attemptAttributes(target, attempts), () => invoke(adapter, call), SpanKind.CLIENT)
            : await invoke(adapter, call);
          this.attempted(target, 'ok', startedAt, undefined);
          return { value, target, attempts };
        } catch (error) {
          if (!(error instanceof UpstreamError)) throw error;
          this.attempted(target, attemptOutcome(error), startedAt, error);
          last = error;
          lastTarget = target;
          if (!error.options.retryable) throw this.toApiError(error, attempts, target);
          const wait = this.backoff(tryNo, error.options.retryAfterMs);
          if (wait === undefined || tryNo === this.settings.retriesPerTarget) break;
          await sleep(wait, signal);
        }
      }
    }
    if (skipped && !last) throw skipped;
    throw last
      ? this.toApiError(last, attempts, lastTarget)
      : new ApiError('no_target_available', `No target is available for '${plan.model}'.`);
  }

  /** Metrics, and one fire-and-forget report per attempt for the router's health view. */
  private attempted(target: Target, outcome: AttemptOutcome, startedAt: number, error: UpstreamError | undefined): void {
    const latencyMs = performance.now() - startedAt;
    this.metrics.attempts.inc({ provider: target.provider, outcome });
    this.metrics.upstreamDuration.observe({ provider: target.provider, outcome }, latencyMs / 1000);
    if (!this.reports.due(target, outcome)) return;
    const report: AttemptReportedEvent = {
      model: target.model,
      provider: target.provider,
      baseUrl: target.baseUrl,
      outcome,
      latencyMs: Math.round(latencyMs),
      ...(error?.options.status !== undefined ? { status: error.options.status } : {}),
      ...(error?.options.retryAfterMs !== undefined ? { retryAfterMs: error.options.retryAfterMs } : {}),
    };
    try {
      this.router.reportAttempt(report);
    } catch {
      // Health reports are best effort: a bus hiccup must never fail the request.
    }
  }

  /** Jittered exponential backoff; `undefined` when the upstream asks us to wait too long. */
  private backoff(tryNo: number, retryAfterMs: number | undefined): number | undefined {
    if (retryAfterMs !== undefined) return retryAfterMs > this.settings.maxRetryWaitMs ? undefined : retryAfterMs;
    const base = this.settings.retryBackoffMs * 2 ** tryNo;
    return Math.round(base / 2 + Math.random() * base);
  }

  private toApiError(error: UpstreamError, attempts: number, target: Target | undefined): ApiError {
    const where = target ? ` (${whereOf(target)})` : '';
    const headers = { 'x-iir-attempts': String(attempts), ...(target ? { 'x-iir-target': target.model } : {}) };
    const retryAfterSeconds =
      error.options.retryAfterMs !== undefined ? Math.max(1, Math.ceil(error.options.retryAfterMs / 1000)) : undefined;
    if (error.code === 'invalid_request_error') {
      return new ApiError('invalid_request_error', error.message, {
        status: error.options.status && error.options.status < 500 ? error.options.status : 400,
        param: error.options.param ?? null,
        headers,
      });
    }
    return new ApiError(error.code, `${error.message}${where}`, { headers, retryAfterSeconds });
  }
}

/** Names the upstream; an llm-d cluster by the endpoint the gateway called, and the setting behind it. */
function whereOf(target: Target): string {
  const at = target.baseUrl || target.provider;
  if (target.kind === 'llm-d' && target.baseUrl) {
    return `${target.model} at the llm-d endpoint ${target.baseUrl.replace(/\/+$/, '')}/chat/completions; check LLMD_ENDPOINT`;
  }
  return `${target.model} at ${at}`;
}

/**
 * Which attempt outcomes to report to the router. Every failure is reported; a success only when
 * it changes something there (the target's last reported outcome was not a success: it resets a
 * failure count or closes a probe) or once a second per target as a heartbeat. On a healthy target
 * that turns one event per request into one per second, with the router's view unchanged.
 */
class ReportThrottle {
  private readonly last = new Map<string, { outcome: AttemptOutcome; at: number }>();

  due(target: Target, outcome: AttemptOutcome): boolean {
    const key = `${target.model}\u0000${target.baseUrl}`;
    const now = Date.now();
    const previous = this.last.get(key);
    if (outcome === 'ok' && previous?.outcome === 'ok' && now - previous.at < 1_000) return false;
    if (this.last.size > 10_000) this.last.clear();
    this.last.set(key, { outcome, at: now });
    return true;
  }
}

/** An attempt span's attributes: the GenAI system and model, and where it went (a host, never a URL's credentials). */
function attemptAttributes(target: Target, attempt: number): Record<string, string | number> {
  let host = target.baseUrl;
  try {
    host = new URL(target.baseUrl).host || target.baseUrl;
  } catch {
    // not a URL: kept as it is (agent ids)
  }
  return { 'gen_ai.system': target.provider, 'gen_ai.request.model': target.upstreamModel, 'iir.target': target.model, 'iir.attempt': attempt, 'server.address': host };
}

function attemptOutcome(error: UpstreamError): AttemptOutcome {
  if (error.code === 'upstream_timeout') return 'timeout';
  if (error.code === 'rate_limit_exceeded' || error.options.status === 429) return 'rate_limited';
  return 'error';
}

/**
 * The body as the upstream wants it: its own model id, no IIR/OpenRouter routing fields (`provider`
 * names IIR's providers, so it is never passed on, not even to OpenRouter).
 */
function upstreamBody(body: ChatCompletionRequest, target: Target): ChatCompletionRequest {
  const out: ChatCompletionRequest = { ...body, model: target.upstreamModel };
  if (target.provider !== 'openrouter') delete out.models;
  if (out['provider'] !== undefined) delete out['provider'];
  return out;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
