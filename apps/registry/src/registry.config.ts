import { createHash } from 'node:crypto';
import path from 'node:path';
import { ConfigError, env } from '@iir/platform';
import { z } from 'zod';
import type { AgentSettings } from './agents/agent-settings';
import { databaseSettingsFrom, type DatabaseSettings } from '@iir/persistence';
import type { HardwareOptions } from './hardware/hardware.service';
import type { SeedOptions } from './seed/seeder';

const httpUrl = () => env.url(['http:', 'https:']);

/**
 * Variables that `config/models.yaml` may name in `requires` and `${VAR}`. The registry never calls
 * an upstream: keys only decide whether a provider's models are offered.
 */
export const providerConfigShape = {
  EXTERNAL_OPENAI_KEY: env.optionalString(),
  EXTERNAL_OPENAI_BASE_URL: httpUrl(),
  EXTERNAL_ANTHROPIC_KEY: env.optionalString(),
  EXTERNAL_ANTHROPIC_BASE_URL: httpUrl(),
  EXTERNAL_OPENROUTER_KEY: env.optionalString(),
  EXTERNAL_OPENROUTER_BASE_URL: httpUrl(),
  EXTERNAL_DEEPSEEK_KEY: env.optionalString(),
  EXTERNAL_DEEPSEEK_BASE_URL: httpUrl(),
  EXTERNAL_GEMINI_KEY: env.optionalString(),
  EXTERNAL_GEMINI_BASE_URL: httpUrl(),
  VLLM_BASE_URL: httpUrl(),
  VLLM_MODEL: env.optionalString(),
  LLMD_ENDPOINT: httpUrl(),
  LLMD_MODEL: env.optionalString(),
  OLLAMA_BASE_URL: httpUrl(),
  OLLAMA_MODEL: env.optionalString(),
};

export const registryConfigShape = {
  REGISTRY_PORT: env.port(8002),
  HTTP_HOST: env.string('0.0.0.0'),
  /** Where the SQLite file lives (created if missing). */
  IIR_DATA_DIR: env.string('./var'),
  /** Postgres instead of SQLite, e.g. postgres://user:pass@host:5432/iir. */
  DATABASE_URL: env.url(['postgres:', 'postgresql:']),
  /** The model catalogue seeded at boot; unset means `config/models.yaml` if it exists. */
  REGISTRY_SEED_FILE: env.optionalString(),
  /** Hardware discovery runs this to list NVIDIA GPUs: a name on PATH or a path. */
  REGISTRY_NVIDIA_SMI: env.string('nvidia-smi'),
  /** How long each discovery command (nvidia-smi, sysctl) may take; a refresh call waits 10 s in all. */
  REGISTRY_PROBE_TIMEOUT_MS: env.int(3_000, 100),
  /** The open models discovery may recommend. */
  REGISTRY_MODEL_CATALOG: env.string('config/model-catalog.yaml'),
  /** How often agents heartbeat (ms); the staleness timeout defaults to three of them. */
  AGENT_HEARTBEAT_MS: env.int(5_000, 10),
  /** An agent with no heartbeat for this long (ms) is stale; default 3 × AGENT_HEARTBEAT_MS. */
  /**
   * Agent credentials on the bus: `required`, `off`, or `auto` (default): required on NATS, off on
   * the one-process in-process bus, which nothing outside the process can reach.
   */
  AGENT_AUTH: env.enumOf(['auto', 'required', 'off'], 'auto'),
  /** The bootstrap admin key (as the gateway's): it may register any agent id. Kept only as SHA-256. */
  IIR_ADMIN_KEY: env.optionalString(),
  AGENT_STALE_AFTER_MS: z.coerce.number({ invalid_type_error: 'must be a number' }).int('must be a whole number').min(10, 'must be at least 10').optional(),
  ...providerConfigShape,
};

export type RegistryConfig = z.infer<z.ZodObject<typeof registryConfigShape>>;

const DEFAULT_SEED_FILE = 'config/models.yaml';

export function databaseSettings(config: RegistryConfig): DatabaseSettings {
  return databaseSettingsFrom(config.DATABASE_URL, config.IIR_DATA_DIR, 'registry.sqlite');
}

export function seedOptions(config: RegistryConfig): SeedOptions {
  const environment: Record<string, string | undefined> = {};
  for (const variable of Object.keys(providerConfigShape) as Array<keyof typeof providerConfigShape>) {
    environment[variable] = config[variable];
  }
  return {
    file: path.resolve(config.REGISTRY_SEED_FILE ?? DEFAULT_SEED_FILE),
    // A missing default file is normal (a container without config/); a missing named one is not.
    optional: config.REGISTRY_SEED_FILE === undefined,
    environment,
  };
}

export function hardwareOptions(config: RegistryConfig): HardwareOptions {
  return {
    nvidiaSmi: config.REGISTRY_NVIDIA_SMI,
    probeTimeoutMs: config.REGISTRY_PROBE_TIMEOUT_MS,
    catalogFile: path.resolve(config.REGISTRY_MODEL_CATALOG),
  };
}

/** How long agents may stay silent; the stale timeout must leave room for at least one heartbeat. */
export function agentSettings(config: RegistryConfig): AgentSettings {
  const heartbeatMs = config.AGENT_HEARTBEAT_MS;
  const staleAfterMs = config.AGENT_STALE_AFTER_MS ?? 3 * heartbeatMs;
  if (staleAfterMs <= heartbeatMs) {
    throw new ConfigError([
      { variable: 'AGENT_STALE_AFTER_MS', message: `must be more than AGENT_HEARTBEAT_MS (${heartbeatMs}), or agents would go stale between beats` },
    ]);
  }
  // A quarter of the timeout, kept within 25 ms..1 s: staleness is noticed well inside the timeout.
  const sweepMs = Math.min(1_000, Math.max(25, Math.floor(staleAfterMs / 4)));
  const onNats = Boolean((config as RegistryConfig & { NATS_URL?: string }).NATS_URL);
  const auth: AgentSettings['auth'] = config.AGENT_AUTH === 'auto' ? (onNats ? 'required' : 'off') : (config.AGENT_AUTH as AgentSettings['auth']);
  return {
    heartbeatMs,
    staleAfterMs,
    sweepMs,
    persistLastSeenMs: 60_000,
    auth,
    ...(config.IIR_ADMIN_KEY ? { adminKeyHash: createHash('sha256').update(config.IIR_ADMIN_KEY).digest() } : {}),
  };
}
