import { BusError, type AgentHeartbeat, type AgentRecord, type AgentRegisterRequest, type RegistryClient } from '@iir/contracts';
import { localRequest } from '../backends/http/local-http';

/** How the agent reaches the registry: over the bus (NATS, or in process), or over HTTP. */
export interface RegistrationChannel {
  readonly kind: 'bus' | 'http';
  register(registration: AgentRegisterRequest): Promise<AgentRecord>;
  /** Rejects with `not_found` when the registry forgot the agent (it registers again). */
  heartbeat(heartbeat: AgentHeartbeat): Promise<AgentRecord>;
}

export class BusRegistrationChannel implements RegistrationChannel {
  readonly kind = 'bus' as const;
  constructor(private readonly registry: RegistryClient) {}

  register(registration: AgentRegisterRequest): Promise<AgentRecord> {
    return this.registry.registerAgent(registration);
  }

  heartbeat(heartbeat: AgentHeartbeat): Promise<AgentRecord> {
    return this.registry.agentHeartbeat(heartbeat);
  }
}

/**
 * The seed's HTTP path: `POST <ROUTER_URL>/register` and `/heartbeat` on the gateway, with the
 * agent's credential as its Bearer key. Answers come back as the gateway's snake_case agent JSON;
 * the agent only needs to know whether they succeeded.
 */
export class HttpRegistrationChannel implements RegistrationChannel {
  readonly kind = 'http' as const;
  constructor(
    private readonly baseUrl: string,
    private readonly credential: string | undefined,
    private readonly timeoutMs = 5_000,
  ) {}

  register(registration: AgentRegisterRequest): Promise<AgentRecord> {
    return this.post('/register', registration);
  }

  heartbeat(heartbeat: AgentHeartbeat): Promise<AgentRecord> {
    return this.post('/heartbeat', heartbeat);
  }

  private async post(path: string, body: unknown): Promise<AgentRecord> {
    const url = new URL(path.replace(/^\//, ''), this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    let res;
    try {
      res = await localRequest({
        method: 'POST',
        url: url.toString(),
        headers: this.credential ? { authorization: `Bearer ${this.credential}` } : {},
        body,
        timeoutMs: this.timeoutMs,
      });
    } catch (error) {
      throw new BusError('service_unavailable', `${url.origin}${url.pathname}: ${(error as Error).message}`);
    }
    const text = await res.body.text();
    if (res.statusCode >= 200 && res.statusCode < 300) return JSON.parse(text) as AgentRecord;
    const message = errorMessage(text) ?? `HTTP ${res.statusCode}`;
    switch (res.statusCode) {
      case 401:
        throw new BusError('invalid_api_key', message);
      case 403:
        throw new BusError('permission_denied', message);
      case 404:
        throw new BusError('not_found', message);
      case 400:
        throw new BusError('invalid_request_error', message);
      default:
        throw new BusError('service_unavailable', message);
    }
  }
}

function errorMessage(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } };
    return typeof parsed.error?.message === 'string' ? parsed.error.message : undefined;
  } catch {
    return undefined;
  }
}
