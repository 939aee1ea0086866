/** Names of the services that make up IIR. */
export const SERVICE_NAMES = ['gateway', 'router', 'registry', 'auth', 'classifier', 'agent'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The services the gateway needs to answer requests; the agent is optional (it lives on a Mac). */
export const REQUIRED_SERVICES: readonly ServiceName[] = ['router', 'registry', 'auth', 'classifier'];

export interface HealthCheckRequest {
  /** Sender's clock, for latency measurement and debugging. */
  sentAt: number;
}

export interface HealthCheckResponse {
  service: ServiceName;
  version: string;
  instanceId: string;
  uptimeSeconds: number;
  status: 'ok' | 'degraded';
  /** Dependencies the service checked (database, redis…) and their state. */
  checks: Record<string, 'up' | 'down'>;
}

/** What the gateway's `/health` reports for each service. */
export interface ServiceHealth {
  name: ServiceName;
  status: 'up' | 'down';
  version?: string;
  instanceId?: string;
  latencyMs?: number;
  error?: string;
  checks?: Record<string, 'up' | 'down'>;
}
