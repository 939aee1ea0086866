import type {
  ApiKeyInfo,
  KeyCreateRequest,
  KeyCreateResponse,
  KeyListRequest,
  KeyRevokedEvent,
  KeyVerifyResponse,
  StatsRequest,
  StatsResponse,
  UsageGetRequest,
  UsageGetResponse,
} from './auth';
import type { AgentHeartbeat, AgentRecord, AgentRegisterRequest, AgentsChangedEvent, AgentsListRequest, AgentsListResponse } from './agents';
import type { Bus, CallOptions, Subscription, SubscribeOptions } from './bus';
import { toClassifierMessages, type ClassifyRequest, type ClassifyResponse } from './classifier';
import type { HealthCheckResponse, ServiceName } from './health';
import type { ChatMessage } from './openai';
import type {
  HardwareStatusResponse,
  ModelCreateRequest,
  ModelDeleteResponse,
  ModelRecord,
  ModelsListRequest,
  ModelsListResponse,
  ModelUpdateRequest,
  RegistryChangedEvent,
} from './registry';
import type { AttemptReportedEvent, PlanRequest, PlanResponse, RoutingStatusResponse } from './routing';
import {
  SUBJECTS,
  type ChunkOf,
  type EventOf,
  type EventSubject,
  type RequestOf,
  type RequestSubject,
  type ResponseOf,
  type StreamSubject,
} from './subjects';

/** A `Bus` narrowed to the subject map: every send and handler is typed by its subject. */
export class TypedBus {
  constructor(readonly raw: Bus) {}

  request<S extends RequestSubject>(subject: S, payload: RequestOf<S>, options?: CallOptions): Promise<ResponseOf<S>> {
    return this.raw.request<ResponseOf<S>>(subject, payload, options);
  }

  stream<S extends StreamSubject>(subject: S, payload: RequestOf<S>, options?: CallOptions): AsyncIterable<ChunkOf<S>> {
    return this.raw.stream<ChunkOf<S>>(subject, payload, options);
  }

  publish<S extends EventSubject>(subject: S, payload: EventOf<S>): void {
    this.raw.publish(subject, payload);
  }

  subscribe<S extends EventSubject>(
    subject: S,
    handler: (payload: EventOf<S>) => void | Promise<void>,
    options?: SubscribeOptions,
  ): Subscription {
    return this.raw.subscribe(subject, (payload) => handler(payload as EventOf<S>), options);
  }
}

/** Health probes of the other services. */
export class HealthClient {
  private readonly bus: TypedBus;
  constructor(bus: Bus) {
    this.bus = new TypedBus(bus);
  }

  check(service: ServiceName, timeoutMs: number): Promise<HealthCheckResponse> {
    return this.bus.request(SUBJECTS.health[service], { sentAt: Date.now() }, { timeoutMs });
  }
}

/** The router core: where a request should go. */
export class RouterClient {
  private readonly bus: TypedBus;
  constructor(bus: Bus, private readonly timeoutMs = 2_000) {
    this.bus = new TypedBus(bus);
  }

  plan(request: PlanRequest, options?: CallOptions): Promise<PlanResponse> {
    return this.bus.request(SUBJECTS.router.plan, request, { timeoutMs: this.timeoutMs, ...options });
  }

  reportAttempt(event: AttemptReportedEvent): void {
    this.bus.publish(SUBJECTS.gateway.attemptReported, event);
  }

  status(): Promise<RoutingStatusResponse> {
    return this.bus.request(SUBJECTS.router.status, {}, { timeoutMs: this.timeoutMs });
  }

  /** Every router replica hears every attempt (no queue group): each keeps its own health view. */
  onAttemptReported(handler: (event: AttemptReportedEvent) => void): Subscription {
    return this.bus.subscribe(SUBJECTS.gateway.attemptReported, handler);
  }
}

/** The model registry. */
export class RegistryClient {
  private readonly bus: TypedBus;
  constructor(bus: Bus, private readonly timeoutMs = 2_000) {
    this.bus = new TypedBus(bus);
  }

  listModels(request: ModelsListRequest = {}): Promise<ModelsListResponse> {
    return this.bus.request(SUBJECTS.registry.listModels, request, { timeoutMs: this.timeoutMs });
  }

  getModel(name: string, options: { includeDisabled?: boolean } = {}): Promise<ModelRecord> {
    return this.bus.request(SUBJECTS.registry.getModel, { name, ...options }, { timeoutMs: this.timeoutMs });
  }

  /** A new operator-managed model; routable as soon as this resolves and routers hear the change. */
  createModel(request: ModelCreateRequest): Promise<ModelRecord> {
    return this.bus.request(SUBJECTS.registry.createModel, request, { timeoutMs: this.timeoutMs });
  }

  /** Changes some fields; the row becomes operator-managed, so the seed file no longer touches it. */
  updateModel(name: string, changes: ModelUpdateRequest['changes']): Promise<ModelRecord> {
    return this.bus.request(SUBJECTS.registry.updateModel, { name, changes }, { timeoutMs: this.timeoutMs });
  }

  setModelEnabled(name: string, enabled: boolean): Promise<ModelRecord> {
    return this.updateModel(name, { enabled });
  }

  deleteModel(name: string): Promise<ModelDeleteResponse> {
    return this.bus.request(SUBJECTS.registry.deleteModel, { name }, { timeoutMs: this.timeoutMs });
  }

  /** Detects the hardware now; slower than other calls (it runs nvidia-smi / sysctl). */
  refreshHardware(): Promise<HardwareStatusResponse> {
    return this.bus.request(SUBJECTS.registry.refreshHardware, {}, { timeoutMs: this.timeoutMs * 5 });
  }

  hardwareStatus(): Promise<HardwareStatusResponse> {
    return this.bus.request(SUBJECTS.registry.hardwareStatus, {}, { timeoutMs: this.timeoutMs });
  }

  /** Every replica of the caller sees every change (no queue group). */
  onChanged(handler: (event: RegistryChangedEvent) => void | Promise<void>): Subscription {
    return this.bus.subscribe(SUBJECTS.registry.changed, handler);
  }

  registerAgent(request: AgentRegisterRequest): Promise<AgentRecord> {
    return this.bus.request(SUBJECTS.registry.registerAgent, request, { timeoutMs: this.timeoutMs });
  }

  /** Rejects with `not_found` when the registry does not know the agent: it should register again. */
  agentHeartbeat(heartbeat: AgentHeartbeat): Promise<AgentRecord> {
    return this.bus.request(SUBJECTS.registry.agentHeartbeat, heartbeat, { timeoutMs: this.timeoutMs });
  }

  listAgents(request: AgentsListRequest = {}): Promise<AgentsListResponse> {
    return this.bus.request(SUBJECTS.registry.listAgents, request, { timeoutMs: this.timeoutMs });
  }

  /** Every replica of the caller sees every change (no queue group). */
  onAgentsChanged(handler: (event: AgentsChangedEvent) => void | Promise<void>): Subscription {
    return this.bus.subscribe(SUBJECTS.registry.agentsChanged, handler);
  }
}

/** API keys and usage stats, owned by `auth`. Secrets cross the bus only in `createKey`'s answer. */
export class AuthClient {
  private readonly bus: TypedBus;
  constructor(bus: Bus, private readonly timeoutMs = 2_000) {
    this.bus = new TypedBus(bus);
  }

  createKey(request: KeyCreateRequest): Promise<KeyCreateResponse> {
    return this.bus.request(SUBJECTS.auth.createKey, request, { timeoutMs: this.timeoutMs });
  }

  /** By the SHA-256 (hex) of the presented secret. */
  verifyKey(hash: string): Promise<KeyVerifyResponse> {
    return this.bus.request(SUBJECTS.auth.verifyKey, { hash }, { timeoutMs: this.timeoutMs });
  }

  listKeys(request: KeyListRequest = {}): Promise<ApiKeyInfo[]> {
    return this.bus.request(SUBJECTS.auth.listKeys, request, { timeoutMs: this.timeoutMs }).then((r) => r.keys);
  }

  revokeKey(id: string): Promise<ApiKeyInfo> {
    return this.bus.request(SUBJECTS.auth.revokeKey, { id }, { timeoutMs: this.timeoutMs });
  }

  stats(request: StatsRequest): Promise<StatsResponse> {
    return this.bus.request(SUBJECTS.auth.stats, request, { timeoutMs: this.timeoutMs * 5 });
  }

  /** One request's ledger record, within the caller's scope (`not_found` otherwise). */
  usage(request: UsageGetRequest): Promise<UsageGetResponse> {
    return this.bus.request(SUBJECTS.auth.getUsage, request, { timeoutMs: this.timeoutMs });
  }

  /** Every replica of the caller sees every revocation (no queue group). */
  onKeyRevoked(handler: (event: KeyRevokedEvent) => void): Subscription {
    return this.bus.subscribe(SUBJECTS.auth.keyRevoked, handler);
  }
}

/** The local prompt classifier: what kind of prompt a conversation ends with, and how hard it is. */
export class ClassifierClient {
  private readonly bus: TypedBus;
  constructor(bus: Bus, private readonly timeoutMs = 500) {
    this.bus = new TypedBus(bus);
  }

  /** Classifies the last user message of a chat conversation; only the parts that matter are sent. */
  classifyChat(messages: readonly ChatMessage[], options?: CallOptions): Promise<ClassifyResponse> {
    return this.classify({ messages: toClassifierMessages(messages) }, options);
  }

  classify(request: ClassifyRequest, options?: CallOptions): Promise<ClassifyResponse> {
    return this.bus.request(SUBJECTS.classifier.classify, request, { timeoutMs: this.timeoutMs, ...options });
  }
}
