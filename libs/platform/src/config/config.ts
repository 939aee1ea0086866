import { z, type ZodRawShape, type ZodTypeAny } from 'zod';

/** A setting that is wrong. Its message names the variable, so start-up can stop with it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: Array<{ variable: string; message: string }>) {
    super(
      'Invalid configuration:\n' + problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'),
    );
  }
}

/**
 * Validates `env` against a schema whose keys are environment variable names; returns the parsed
 * values. Called once at boot; nothing else in an app reads `process.env`.
 */
export function loadConfig<S extends ZodRawShape>(
  shape: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<z.ZodObject<S>> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    input[key] = value === '' ? undefined : value;
  }
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(config)'),
        message: issue.message,
      })),
    );
  }
  return result.data;
}

/** Field builders with error messages that say what a good value looks like. */
export const env = {
  port: (fallback: number) =>
    z.coerce
      .number({ invalid_type_error: 'must be a port number (0-65535)' })
      .int('must be a whole port number')
      .min(0, 'must be a port number (0-65535)')
      .max(65535, 'must be a port number (0-65535)')
      .default(fallback),
  int: (fallback: number, min = 0) =>
    z.coerce
      .number({ invalid_type_error: 'must be a number' })
      .int('must be a whole number')
      .min(min, `must be at least ${min}`)
      .default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], {
        errorMap: () => ({ message: 'must be true or false' }),
      })
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  string: (fallback: string) => z.string().default(fallback),
  optionalString: () => z.string().optional(),
  url: (protocols: string[]) =>
    z
      .string()
      .optional()
      .refine((v) => v === undefined || isUrl(v, protocols), {
        message: `must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`,
      }),
  /** Comma-separated list of NATS URLs. */
  natsUrl: () =>
    z
      .string()
      .optional()
      .refine((v) => v === undefined || v.split(',').every((u) => isUrl(u.trim(), ['nats:', 'tls:', 'ws:', 'wss:'])), {
        message: 'must be a NATS URL like nats://127.0.0.1:4222 (comma-separated for a cluster)',
      }),
  logLevel: () => z.enum(['debug', 'info', 'warn', 'error'], { errorMap: () => ({ message: 'must be one of debug, info, warn, error' }) }).default('info'),
  enumOf: <T extends [string, ...string[]]>(values: T, fallback: T[number]) =>
    z.enum(values, { errorMap: () => ({ message: `must be one of ${values.join(', ')}` }) }).default(fallback as never),
  custom: <T extends ZodTypeAny>(schema: T) => schema,
};

function isUrl(value: string, protocols: string[]): boolean {
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Settings every service shares. */
export const commonConfigShape = {
  NATS_URL: env.natsUrl(),
  NATS_SUBJECT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/, 'must be letters, digits, - or _ (a NATS subject token)')
    .default(''),
  NATS_CONNECT_TIMEOUT_MS: env.int(2_000, 100),
  LOG_LEVEL: env.logLevel(),
  SERVICE_VERSION: env.string(process.env['npm_package_version'] ?? '0.1.0'),
  /**
   * On SIGTERM: how long open requests and streams may take to finish after the service stopped
   * accepting connections; what is still open then is closed.
   */
  SHUTDOWN_GRACE_MS: env.int(10_000, 0),
  /** OpenTelemetry traces go to this OTLP/HTTP collector (`/v1/traces` appended); unset = no tracing at all. */
  OTEL_EXPORTER_OTLP_ENDPOINT: env.url(['http:', 'https:']),
  /** The full OTLP/HTTP traces URL, when it is not `<endpoint>/v1/traces`. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: env.url(['http:', 'https:']),
  /** The traces' `service.name` (default `iir-<service>`). */
  OTEL_SERVICE_NAME: z.string().optional(),
  /** `true`: prompts and answers may be span attributes. Off by default: traces never carry content. */
  OTEL_CAPTURE_CONTENT: env.bool(false),
};

export type CommonConfig = z.infer<z.ZodObject<typeof commonConfigShape>>;
