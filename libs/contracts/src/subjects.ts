import type {
  KeyCreateRequest,
  KeyCreateResponse,
  KeyListRequest,
  KeyListResponse,
  KeyRevokedEvent,
  KeyRevokeRequest,
  KeyRevokeResponse,
  KeyVerifyRequest,
  KeyVerifyResponse,
  StatsRequest,
  UsageGetRequest,
  UsageGetResponse,
  StatsResponse,
  UsageRecord,
} from './auth';
import type {
  AgentHeartbeat,
  AgentRegisterRequest,
  AgentRecord,
  AgentsChangedEvent,
  AgentsListRequest,
  AgentsListResponse,
} from './agents';
import type { EventContract, RequestContract, StreamContract } from './bus';
import type { ClassifyRequest, ClassifyResponse } from './classifier';
import type { HealthCheckRequest, HealthCheckResponse, ServiceName } from './health';
import type {
  HardwareRefreshRequest,
  HardwareStatusRequest,
  HardwareStatusResponse,
  ModelCreateRequest,
  ModelCreateResponse,
  ModelDeleteRequest,
  ModelDeleteResponse,
  ModelGetRequest,
  ModelGetResponse,
  ModelsListRequest,
  ModelsListResponse,
  ModelUpdateRequest,
  ModelUpdateResponse,
  RegistryChangedEvent,
} from './registry';
import type { AttemptReportedEvent, PlanRequest, PlanResponse, RoutingStatusRequest, RoutingStatusResponse } from './routing';

/**
 * Every NATS subject IIR uses, named `<service>.<entity>.<verb>`. Renaming one is a breaking change
 * between versions of the services.
 */
export const SUBJECTS = {
  health: {
    gateway: 'gateway.health.check',
    router: 'router.health.check',
    registry: 'registry.health.check',
    auth: 'auth.health.check',
    classifier: 'classifier.health.check',
    agent: 'agent.health.check',
  },
  router: {
    plan: 'router.plan.create',
    /** Policies, target health and agent load as one router replica sees them. */
    status: 'router.routing.status',
  },
  registry: {
    listModels: 'registry.models.list',
    getModel: 'registry.models.get',
    createModel: 'registry.models.create',
    updateModel: 'registry.models.update',
    deleteModel: 'registry.models.delete',
    changed: 'registry.models.changed',
    registerAgent: 'registry.agents.register',
    agentHeartbeat: 'registry.agents.heartbeat',
    listAgents: 'registry.agents.list',
    /** Broadcast: every router replica refreshes its view of the agents. */
    agentsChanged: 'registry.agents.changed',
    /** Detects the registry host's hardware now and stores it with fresh recommendations. */
    refreshHardware: 'registry.hardware.refresh',
    /** The last stored discovery; never detects by itself. */
    hardwareStatus: 'registry.hardware.status',
  },
  gateway: {
    attemptReported: 'gateway.attempt.reported',
  },
  auth: {
    createKey: 'auth.keys.create',
    verifyKey: 'auth.keys.verify',
    listKeys: 'auth.keys.list',
    revokeKey: 'auth.keys.revoke',
    /** Broadcast: every gateway replica purges the key. */
    keyRevoked: 'auth.keys.revoked',
    /** Usage records: a JetStream stream over NATS, a plain event in process. */
    usageRecorded: 'auth.usage.recorded',
    stats: 'auth.usage.stats',
    /** One request's record (OpenRouter's `/api/v1/generation`). */
    getUsage: 'auth.usage.get',
  },
  classifier: {
    classify: 'classifier.prompt.classify',
  },
} as const satisfies Record<string, Record<string, string>>;

/** JetStream streams: names are part of the contract, like subjects (the bus prefix is added to them). */
export const STREAMS = {
  /** Usage records, batched; written by gateways, consumed by `auth` into the ledger. */
  usage: 'IIR_USAGE',
} as const;

type HealthContract = RequestContract<HealthCheckRequest, HealthCheckResponse>;

/** The contract of each subject. */
export interface SubjectMap {
  'gateway.health.check': HealthContract;
  'router.health.check': HealthContract;
  'registry.health.check': HealthContract;
  'auth.health.check': HealthContract;
  'classifier.health.check': HealthContract;
  'agent.health.check': HealthContract;
  'router.plan.create': RequestContract<PlanRequest, PlanResponse>;
  'router.routing.status': RequestContract<RoutingStatusRequest, RoutingStatusResponse>;
  'registry.models.list': RequestContract<ModelsListRequest, ModelsListResponse>;
  'registry.models.get': RequestContract<ModelGetRequest, ModelGetResponse>;
  'registry.models.create': RequestContract<ModelCreateRequest, ModelCreateResponse>;
  'registry.models.update': RequestContract<ModelUpdateRequest, ModelUpdateResponse>;
  'registry.models.delete': RequestContract<ModelDeleteRequest, ModelDeleteResponse>;
  'registry.models.changed': EventContract<RegistryChangedEvent>;
  'registry.agents.register': RequestContract<AgentRegisterRequest, AgentRecord>;
  /** A request (the agent learns at once that the registry forgot it: `not_found` → re-register). */
  'registry.agents.heartbeat': RequestContract<AgentHeartbeat, AgentRecord>;
  'registry.agents.list': RequestContract<AgentsListRequest, AgentsListResponse>;
  'registry.agents.changed': EventContract<AgentsChangedEvent>;
  'registry.hardware.refresh': RequestContract<HardwareRefreshRequest, HardwareStatusResponse>;
  'registry.hardware.status': RequestContract<HardwareStatusRequest, HardwareStatusResponse>;
  'gateway.attempt.reported': EventContract<AttemptReportedEvent>;
  'auth.keys.create': RequestContract<KeyCreateRequest, KeyCreateResponse>;
  'auth.keys.verify': RequestContract<KeyVerifyRequest, KeyVerifyResponse>;
  'auth.keys.list': RequestContract<KeyListRequest, KeyListResponse>;
  'auth.keys.revoke': RequestContract<KeyRevokeRequest, KeyRevokeResponse>;
  'auth.keys.revoked': EventContract<KeyRevokedEvent>;
  /** A batch of records (one stream message per batch). */
  'auth.usage.recorded': EventContract<UsageRecord[]>;
  'auth.usage.stats': RequestContract<StatsRequest, StatsResponse>;
  'auth.usage.get': RequestContract<UsageGetRequest, UsageGetResponse>;
  'classifier.prompt.classify': RequestContract<ClassifyRequest, ClassifyResponse>;
}

export type Subject = keyof SubjectMap;
export type RequestSubject = {
  [S in Subject]: SubjectMap[S] extends RequestContract<unknown, unknown> ? S : never;
}[Subject];
export type StreamSubject = {
  [S in Subject]: SubjectMap[S] extends StreamContract<unknown, unknown> ? S : never;
}[Subject];
export type EventSubject = {
  [S in Subject]: SubjectMap[S] extends EventContract<unknown> ? S : never;
}[Subject];

export type RequestOf<S extends Subject> =
  SubjectMap[S] extends RequestContract<infer Req, unknown>
    ? Req
    : SubjectMap[S] extends StreamContract<infer Req, unknown>
      ? Req
      : never;
export type ResponseOf<S extends RequestSubject> =
  SubjectMap[S] extends RequestContract<unknown, infer Res> ? Res : never;
export type ChunkOf<S extends StreamSubject> =
  SubjectMap[S] extends StreamContract<unknown, infer Chunk> ? Chunk : never;
export type EventOf<S extends EventSubject> = SubjectMap[S] extends EventContract<infer P> ? P : never;

export function healthSubject(service: ServiceName): (typeof SUBJECTS.health)[ServiceName] {
  return SUBJECTS.health[service];
}
