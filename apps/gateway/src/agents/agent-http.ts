import type { AgentHeartbeat, AgentRecord, AgentRegisterRequest } from '@iir/contracts';
import { ApiError } from '../errors/api-error';

type Fields = Record<string, unknown>;

/**
 * `POST /register` bodies, snake_case or camelCase (`agent_id` or `agentId`, `max_concurrency`,
 * `hardware.memory_gb`…); camelCase wins when both are sent. The registry validates the values.
 */
export function registrationFromHttp(body: unknown): AgentRegisterRequest {
  const b = camel(object(body));
  const hardware = b['hardware'];
  return {
    ...b,
    ...(isObject(hardware) ? { hardware: camel(hardware) } : {}),
  } as unknown as AgentRegisterRequest;
}

/** `POST /heartbeat` bodies, snake_case or camelCase; `state` is passed through as it is. */
export function heartbeatFromHttp(body: unknown): AgentHeartbeat {
  return camel(object(body)) as unknown as AgentHeartbeat;
}

/** The HTTP API answers in snake_case, like the rest of it. */
export function agentJson(agent: AgentRecord): Record<string, unknown> {
  const { memoryGb, ...hardware } = agent.hardware;
  return {
    object: 'agent',
    agent_id: agent.agentId,
    models: agent.models,
    hardware: { ...hardware, ...(memoryGb !== undefined ? { memory_gb: memoryGb } : {}) },
    max_concurrency: agent.maxConcurrency,
    version: agent.version,
    queue_length: agent.queueLength,
    in_flight: agent.inFlight,
    loaded_models: agent.loadedModels,
    state: agent.state,
    registered_at: agent.registeredAt,
    last_heartbeat_at: agent.lastHeartbeatAt,
    freshness: agent.freshness,
  };
}

/** Top-level keys only: `snake_case` → `camelCase`, camelCase keys kept and preferred. */
function camel(fields: Fields): Fields {
  const out: Fields = {};
  for (const [key, value] of Object.entries(fields)) {
    const name = key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (name !== key && name in fields) continue;
    out[name] = value;
  }
  return out;
}

function object(body: unknown): Fields {
  if (!isObject(body)) throw new ApiError('invalid_request_error', 'The request body must be a JSON object.');
  return body;
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
