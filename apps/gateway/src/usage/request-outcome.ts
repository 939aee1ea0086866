import type { AutoDecision, ChatCompletionRequest, PlanResponse, Target, Usage, UsageRecord } from '@iir/contracts';
import type { Principal } from '../auth/principal';
import type { ApiError } from '../errors/api-error';

/** What one request did, gathered along the way, turned into its usage record at the end. */
export class RequestOutcome {
  private readonly startedAt = performance.now();
  private readonly createdAt = new Date().toISOString();
  private firstByteAt: number | undefined;
  private target: Pick<Target, 'model' | 'provider'> | undefined;
  private error: ApiError | undefined;
  usage: Usage | undefined;
  cacheHit = false;
  /** The x-iir-cache result (hit, miss, bypass). */
  cacheResult = 'bypass';
  /** The registry name the request resolved to (a metric label: never what the client typed). */
  resolvedModel: string | undefined;
  attempts = 0;
  /** The request's `x-iir-route` pin. */
  routePin: string | undefined;
  private policy: string | null = null;
  private auto: AutoDecision | undefined;

  constructor(
    private readonly requestId: string,
    private readonly principal: Principal,
    private readonly body: ChatCompletionRequest,
    /** The client's own `x-request-id` (bounded), for correlation only. */
    private readonly clientRequestId: string | null = null,
  ) {}

  planned(plan: PlanResponse): void {
    this.policy = plan.policy;
    this.auto = plan.auto;
  }

  answered(target: Pick<Target, 'model' | 'provider'>): void {
    this.target = target;
  }

  firstByte(): void {
    this.firstByteAt ??= performance.now();
  }

  failed(error: ApiError): void {
    this.error ??= error;
  }

  toRecord(): UsageRecord {
    const now = performance.now();
    const ttft = this.firstByteAt ?? (this.error ? undefined : now);
    return {
      requestId: this.requestId,
      clientRequestId: this.clientRequestId,
      keyId: this.principal.keyId,
      priority: this.principal.priority,
      model: this.body.model,
      target: this.target?.model ?? null,
      provider: this.target?.provider ?? null,
      promptTokens: this.usage?.prompt_tokens ?? 0,
      completionTokens: this.usage?.completion_tokens ?? 0,
      totalTokens: this.usage?.total_tokens ?? 0,
      latencyMs: round(now - this.startedAt),
      ttftMs: ttft === undefined ? null : round(ttft - this.startedAt),
      status: this.error?.status ?? 200,
      errorCode: this.error?.code ?? null,
      cacheHit: this.cacheHit,
      stream: this.body.stream === true,
      policy: this.policy,
      routeLabel: this.auto?.label ?? null,
      routeConfidence: this.auto?.confidence ?? null,
      routeComplexity: this.auto?.complexity ?? null,
      routeTier: this.auto?.tier ?? null,
      routePin: this.routePin ?? null,
      createdAt: this.createdAt,
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
