import { env, type ServiceDefinition } from '@iir/platform';
import { z } from 'zod';
import { DEFAULT_TRUSTED_NETWORKS, isCidrList } from './auth/trusted-network';
import { PROVIDER_TPM_VARIABLES } from './limits/provider-tpm';
import { OpenAIExceptionFilter } from './errors/openai-exception.filter';
import { GatewayModule } from './gateway.module';
import { enableCors } from './http/cors';
import { traceRequests } from './observability/request-tracing';
import { limitJsonDepth, refuseNonJsonBodies } from './http/json-only';

const optional = () => z.string().optional();
const cidrs = (fallback: string) =>
  z.string().default(fallback).refine(isCidrList, { message: 'must be comma-separated IP addresses or CIDRs, e.g. 10.0.0.0/8,::1' });

function providerTpmShape(): Record<(typeof PROVIDER_TPM_VARIABLES)[number], ReturnType<typeof env.int>> {
  return Object.fromEntries(PROVIDER_TPM_VARIABLES.map((v) => [v, env.int(0, 0)])) as never;
}

export const gatewayConfigShape = {
  GATEWAY_PORT: env.port(8000),
  HTTP_HOST: env.string('0.0.0.0'),
  /** How long `/health` waits for each service. */
  HEALTH_TIMEOUT_MS: env.int(1_000, 10),
  /** The whole request, headers and body, must arrive within this (408 after it; 0 = no limit). */
  REQUEST_BODY_TIMEOUT_MS: env.int(30_000, 0),
  /** Open connections one client address may hold (more are closed on arrival; 0 = no cap). Behind a proxy, that is the proxy. */
  MAX_CONNECTIONS_PER_IP: env.int(256, 0),
  /** Largest request body accepted, in bytes (413 above it). */
  MAX_BODY_BYTES: env.int(4 * 1024 * 1024, 1024),
  /** Browser origins allowed to call the API (CORS), comma-separated, or `*`; empty (default) = none. */
  CORS_ORIGINS: env.string(''),
  /** Comma-separated static user keys (no limits, no ledger key id); kept only as SHA-256. */
  GATEWAY_API_KEYS: env.string(''),
  /** The bootstrap admin key: manages keys and reads /stats; kept only as SHA-256. */
  IIR_ADMIN_KEY: optional(),
  /**
   * `required`: every API call needs a key; `open`: a call without one is anonymous; `auto`
   * (default): required as soon as IIR_ADMIN_KEY or GATEWAY_API_KEYS is set.
   */
  GATEWAY_AUTH: env.enumOf(['auto', 'required', 'open'], 'auto'),
  /** Who may register user keys without an admin key (CIDRs; default loopback only). */
  TRUSTED_NETWORKS: cidrs(DEFAULT_TRUSTED_NETWORKS),
  /** `false`: every key registration needs an admin key, whatever the network. */
  KEYLESS_REGISTRATION: env.bool(true),
  /** Ceilings for keys registered without an admin key: highest priority, rpm, tpm (0 = no ceiling). */
  REGISTRATION_MAX_PRIORITY: env.int(0, 0),
  REGISTRATION_MAX_RPM: env.int(0, 0),
  REGISTRATION_MAX_TPM: env.int(0, 0),
  /** Model globs a keyless registration may ask for (comma-separated; empty = any). */
  REGISTRATION_ALLOWED_MODELS: env.string(''),
  /** Proxies whose X-Forwarded-For is believed (CIDRs); empty = the header is ignored. */
  TRUSTED_PROXIES: cidrs(''),
  /** How long a verified key is reused without asking auth (revocations purge it at once). */
  AUTH_CACHE_TTL_MS: env.int(2_000, 0),
  /** How long a verified key keeps working while auth is unreachable. */
  AUTH_STALE_TTL_MS: env.int(300_000, 0),
  AUTH_TIMEOUT_MS: env.int(2_000, 10),
  /** Redis for rate limits shared by every replica; unset = per-replica limits in memory. */
  REDIS_URL: env.url(['redis:', 'rediss:']),
  /** Rate-limit window (ms); limits are per minute unless changed. */
  RATE_LIMIT_WINDOW_MS: env.int(60_000, 100),
  ...providerTpmShape(),
  /** One JSON line per request on stdout (at info). */
  REQUEST_LOG: env.bool(true),
  /** Also append request lines to this file, one file per day (`requests.log` → `requests-2026-12-01.log`). */
  REQUEST_LOG_FILE: optional(),
  /** Response cache TTL in seconds; 0 turns the cache off. */
  CACHE_TTL: env.int(300, 0),
  /** `deterministic`: cache temperature-0 requests and opted-in ones; `opt-in`: only opted-in ones. */
  CACHE_MODE: env.enumOf(['deterministic', 'opt-in'], 'deterministic'),
  /** The in-memory cache (no REDIS_URL): entries and bytes it may hold. */
  CACHE_MAX_ENTRIES: env.int(10_000, 1),
  CACHE_MAX_BYTES: env.int(64 * 1024 * 1024, 1024),
  ROUTER_TIMEOUT_MS: env.int(2_000, 10),
  UPSTREAM_CONNECT_TIMEOUT_MS: env.int(5_000, 10),
  UPSTREAM_FIRST_BYTE_TIMEOUT_MS: env.int(60_000, 10),
  /** A stream (or body) that sends nothing for this long is cut: the client gets an error, not a hang. */
  UPSTREAM_IDLE_TIMEOUT_MS: env.int(60_000, 10),
  UPSTREAM_TOTAL_TIMEOUT_MS: env.int(600_000, 10),
  /** While a stream waits for its upstream, an SSE `: keep-alive` comment goes to the client this often (0 = never). */
  SSE_KEEPALIVE_MS: env.int(15_000, 0),
  UPSTREAM_RETRIES: env.int(1, 0),
  UPSTREAM_RETRY_BACKOFF_MS: env.int(100, 0),
  UPSTREAM_MAX_RETRY_WAIT_MS: env.int(2_000, 0),
  EXTERNAL_OPENAI_KEY: optional(),
  EXTERNAL_ANTHROPIC_KEY: optional(),
  EXTERNAL_OPENROUTER_KEY: optional(),
  EXTERNAL_DEEPSEEK_KEY: optional(),
  EXTERNAL_GEMINI_KEY: optional(),
  EXTERNAL_VLLM_KEY: optional(),
  EXTERNAL_LLMD_KEY: optional(),
};

export type GatewayConfig = z.infer<z.ZodObject<typeof gatewayConfigShape>>;

/** The gateway: the HTTP edge. */
export const gatewayService: ServiceDefinition<typeof gatewayConfigShape> = {
  name: 'gateway',
  configShape: gatewayConfigShape,
  http: (config) => ({
    port: config.GATEWAY_PORT,
    host: config.HTTP_HOST,
    bodyLimit: config.MAX_BODY_BYTES,
    requestTimeoutMs: config.REQUEST_BODY_TIMEOUT_MS,
    maxConnectionsPerIp: config.MAX_CONNECTIONS_PER_IP,
  }),
  module: ({ config, bus, logger }) => GatewayModule.register(config, bus, logger),
  healthEndpoint: false,
  configure: (app, { logger, config }) => {
    app.useGlobalFilters(new OpenAIExceptionFilter(logger));
    // Traces (when on) first, so every request has its span; then CORS, so a preflight is answered before anything else looks at it.
    traceRequests(app.getHttpAdapter().getInstance());
    enableCors(app.getHttpAdapter().getInstance(), config.CORS_ORIGINS);
    refuseNonJsonBodies(app.getHttpAdapter().getInstance());
    // Nest's body parsers first (it skips them later once registered), then ours in place of its JSON one.
    app.getHttpAdapter().registerParserMiddleware();
    limitJsonDepth(app.getHttpAdapter().getInstance());
  },
};
