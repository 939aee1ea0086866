import type { EventContract, RequestContract, StreamContract } from './bus';
import type { ClassifyRequest, ClassifyResponse } from './classifier';
import type { HealthCheckRequest, HealthCheckResponse, ServiceName } from './health';
import type {
  ModelGetRequest,
  ModelGetResponse,
  ModelsListRequest,
  ModelsListResponse,
  RegistryChangedEvent,
} from './registry';
import type { AttemptReportedEvent, PlanRequest, PlanResponse } from './routing';

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
  },
  registry: {
    listModels: 'registry.models.list',
    getModel: 'registry.models.get',
    changed: 'registry.models.changed',
  },
  gateway: {
    attemptReported: 'gateway.attempt.reported',
  },
  classifier: {
    classify: 'classifier.prompt.classify',
  },
} as const satisfies Record<string, Record<string, string>>;

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
  'registry.models.list': RequestContract<ModelsListRequest, ModelsListResponse>;
  'registry.models.get': RequestContract<ModelGetRequest, ModelGetResponse>;
  'registry.models.changed': EventContract<RegistryChangedEvent>;
  'gateway.attempt.reported': EventContract<AttemptReportedEvent>;
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
