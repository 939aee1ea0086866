import { BusError, type AgentHardware, type AgentHeartbeat, type AgentRegisterRequest } from '@iir/contracts';

/** Letters, digits, `.`, `_`, `-`: ids that stay readable in logs and map cleanly onto a subject. */
const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_MODELS = 256;
const MAX_NAME = 200;
const MAX_STATE_KEYS = 64;

type Fields = Record<string, unknown>;

/** A registration as the registry accepts it; anything else is `invalid_request_error` naming the field. */
export function parseRegistration(payload: unknown): AgentRegisterRequest {
  const p = object(payload, 'body');
  const hardware = p['hardware'] === undefined || p['hardware'] === null ? {} : object(p['hardware'], 'hardware');
  const maxConcurrency = p['maxConcurrency'] ?? 1;
  if (!Number.isInteger(maxConcurrency) || (maxConcurrency as number) < 1 || (maxConcurrency as number) > 10_000) {
    throw invalid('maxConcurrency', 'must be a whole number from 1 to 10000');
  }
  return {
    agentId: agentId(p['agentId']),
    models: names(p['models'], 'models'),
    hardware: parseHardware(hardware),
    maxConcurrency: maxConcurrency as number,
    version: text(p['version'], 'version', 64),
    ...instanceToken(p['instanceToken']),
    ...agentUrl(p['url']),
  };
}

/** HTTP mode: an http(s) URL with a host, no credentials in it (they would be stored and shown). */
function agentUrl(value: unknown): { url?: string } {
  if (value === undefined || value === null) return {};
  let url: URL | undefined;
  try {
    url = typeof value === 'string' && value.length <= 512 ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || !url.hostname || url.username || url.password) {
    throw invalid('url', 'must be an http(s) URL like http://mac-studio.local:5000, without credentials');
  }
  return { url: url.toString().replace(/\/+$/, '') };
}

export function parseHeartbeat(payload: unknown): AgentHeartbeat {
  const p = object(payload, 'body');
  const sentAt = p['sentAt'] ?? new Date().toISOString();
  if (typeof sentAt !== 'string' || Number.isNaN(Date.parse(sentAt))) throw invalid('sentAt', 'must be an ISO-8601 time');
  return {
    agentId: agentId(p['agentId']),
    queueLength: count(p['queueLength'] ?? 0, 'queueLength'),
    inFlight: count(p['inFlight'] ?? 0, 'inFlight'),
    loadedModels: names(p['loadedModels'] ?? [], 'loadedModels'),
    state: parseState(p['state'] ?? {}),
    sentAt,
    ...instanceToken(p['instanceToken']),
  };
}

/** Optional; 16-512 characters, so a guessable token is refused (the message never echoes it). */
function instanceToken(value: unknown): { instanceToken?: string } {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'string' || value.length < 16 || value.length > 512) {
    throw invalid('instanceToken', 'must be a string of 16 to 512 characters');
  }
  return { instanceToken: value };
}

export function agentId(value: unknown): string {
  if (typeof value !== 'string' || !AGENT_ID.test(value)) {
    throw invalid('agentId', 'must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit');
  }
  return value;
}

function parseHardware(h: Fields): AgentHardware {
  const out: AgentHardware = {};
  if (h['cpu'] !== undefined) out.cpu = text(h['cpu'], 'hardware.cpu', 200);
  if (h['cores'] !== undefined) out.cores = count(h['cores'], 'hardware.cores');
  if (h['memoryGb'] !== undefined) {
    if (typeof h['memoryGb'] !== 'number' || !(h['memoryGb'] >= 0)) throw invalid('hardware.memoryGb', 'must be a number of GB');
    out.memoryGb = h['memoryGb'];
  }
  if (h['gpu'] !== undefined) out.gpu = h['gpu'] === null ? null : text(h['gpu'], 'hardware.gpu', 200);
  if (h['accelerator'] !== undefined) out.accelerator = text(h['accelerator'], 'hardware.accelerator', 64);
  return out;
}

function parseState(value: unknown): AgentHeartbeat['state'] {
  const s = object(value, 'state');
  const entries = Object.entries(s);
  if (entries.length > MAX_STATE_KEYS) throw invalid('state', `must have at most ${MAX_STATE_KEYS} fields`);
  for (const [key, v] of entries) {
    if (!['string', 'number', 'boolean'].includes(typeof v)) throw invalid(`state.${key}`, 'must be a string, number or boolean');
  }
  return s as AgentHeartbeat['state'];
}

function names(value: unknown, param: string): string[] {
  if (!Array.isArray(value) || value.length > MAX_MODELS) throw invalid(param, `must be an array of at most ${MAX_MODELS} model names`);
  const out = value.map((v, i) => text(v, `${param}[${i}]`, MAX_NAME));
  return [...new Set(out)];
}

function count(value: unknown, param: string): number {
  if (!Number.isInteger(value) || (value as number) < 0) throw invalid(param, 'must be a whole number, 0 or more');
  return value as number;
}

function text(value: unknown, param: string, max: number): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max) {
    throw invalid(param, `must be a non-empty string of at most ${max} characters`);
  }
  return value;
}

function object(value: unknown, param: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(param, 'must be a JSON object');
  return value as Fields;
}

function invalid(param: string, message: string): BusError {
  return new BusError('invalid_request_error', `'${param}' ${message}.`, { param });
}
