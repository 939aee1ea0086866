import { randomUUID } from 'node:crypto';
import type { Bus, ServiceName } from '@iir/contracts';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import { limitConnectionsPerAddress } from './connection-limit';
import { drainHttpServer } from './http-drain';
import { openAIClientErrorHandler, openAIFrameworkErrors } from './http-client-errors';
import type { z, ZodRawShape } from 'zod';
import { createBus } from '../bus/create-bus';
import { commonConfigShape, loadConfig } from '../config/config';
import { JsonLogger } from '../logging/json-logger';
import { ensureDefaultMetrics } from '../metrics/metrics';
import { BusTransport } from '../nest/bus-transport';
import { PlatformModule } from '../nest/platform.module';
import { ServiceInfo } from '../nest/tokens';
import { startTracing } from '../tracing/tracing';

type CommonShape = typeof commonConfigShape;

/** What an app declares about itself; `startService` does the rest. */
export interface ServiceDefinition<S extends ZodRawShape> {
  name: ServiceName;
  /** The app's own settings (on top of the common ones). */
  configShape: S;
  /** Reads the HTTP port and host out of the parsed config. */
  http: (config: z.infer<z.ZodObject<S & CommonShape>>) => HttpSettings;
  /** The app's root module, given its context. */
  module: (context: ServiceContext<z.infer<z.ZodObject<S & CommonShape>>>) => DynamicModule;
  /** Serve the standard `/health` (default true). */
  healthEndpoint?: boolean;
  /** Last touches on the app before it listens (global filters, Fastify hooks). */
  configure?: (app: NestFastifyApplication, context: ServiceContext<z.infer<z.ZodObject<S & CommonShape>>>) => void;
}

export interface HttpSettings {
  port: number;
  host: string;
  bodyLimit?: number;
  /** The whole request (headers and body) must arrive within this; else 408 (default: no limit). */
  requestTimeoutMs?: number;
  /** Open connections one client address may hold; more are closed on arrival (default: no cap). */
  maxConnectionsPerIp?: number;
}

export interface ServiceContext<C> {
  config: C;
  /** The environment the config was read from, for config files that reference variables. */
  env: Readonly<Record<string, string | undefined>>;
  bus: Bus;
  logger: JsonLogger;
  info: ServiceInfo;
}

export interface RunningService {
  name: ServiceName;
  app: INestApplication;
  bus: Bus;
  logger: JsonLogger;
  /** The HTTP port actually bound (useful with port 0). */
  port: number;
  /** `SHUTDOWN_GRACE_MS`: how long `close` lets open requests finish. */
  shutdownGraceMs: number;
  /**
   * Stops in order: no new connections, open requests and streams finish (at most the grace
   * period), then the app's shutdown hooks (flush what is buffered, close databases), then the bus.
   */
  close(): Promise<void>;
}

/**
 * Validates config, connects the bus, builds the Nest app on Fastify with the bus transport, and
 * listens. Throws `ConfigError` for a bad setting and a `BusError` when NATS was asked for but is
 * unreachable.
 */
export async function startService<S extends ZodRawShape>(
  definition: ServiceDefinition<S>,
  env: Record<string, string | undefined> = process.env,
): Promise<RunningService> {
  const shape = { ...commonConfigShape, ...definition.configShape } as S & CommonShape;
  const config = loadConfig(shape, env) as z.infer<z.ZodObject<S & CommonShape>>;
  const common = config as unknown as z.infer<z.ZodObject<CommonShape>>;
  const logger = new JsonLogger(definition.name, common.LOG_LEVEL);
  const info = new ServiceInfo(definition.name, common.SERVICE_VERSION, randomUUID().slice(0, 8));
  const bus = await createBus(
    {
      natsUrl: common.NATS_URL,
      subjectPrefix: common.NATS_SUBJECT_PREFIX,
      connectTimeoutMs: common.NATS_CONNECT_TIMEOUT_MS,
      name: `iir-${definition.name}`,
    },
    (error) => logger.write('error', 'bus handler failed', { err: error }),
  );
  ensureDefaultMetrics();
  const tracing = await startTracing({
    ...(common.OTEL_EXPORTER_OTLP_ENDPOINT ? { endpoint: common.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
    ...(common.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? { tracesEndpoint: common.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT } : {}),
    serviceName: common.OTEL_SERVICE_NAME || `iir-${definition.name}`,
    captureContent: common.OTEL_CAPTURE_CONTENT,
  });
  const { port, host, bodyLimit, requestTimeoutMs, maxConnectionsPerIp } = definition.http(config);
  let app: NestFastifyApplication | undefined;
  try {
    // Inside the try: a module that refuses its settings must not leave the bus connected.
    const root = definition.module({ config, env, bus, logger, info });
    const platform = PlatformModule.forRoot({
      info,
      bus,
      config,
      logger,
      healthEndpoint: definition.healthEndpoint ?? true,
    });
    app = await NestFactory.create<NestFastifyApplication>(
      { module: class ServiceRootModule {}, imports: [platform, root] } as DynamicModule,
      new FastifyAdapter({
        bodyLimit: bodyLimit ?? 1024 * 1024,
        return503OnClosing: true,
        ...requestTimeouts(requestTimeoutMs),
        // Errors before routing (huge headers, a bad header line, a too-long path) are OpenAI-shaped too.
        clientErrorHandler: openAIClientErrorHandler,
        frameworkErrors: openAIFrameworkErrors,
      }),
      { logger, abortOnError: false },
    );
    if (maxConnectionsPerIp) {
      limitConnectionsPerAddress(app.getHttpServer() as Server, maxConnectionsPerIp, (address) =>
        logger.write('debug', 'connection refused: too many open from one address', { address, max: maxConnectionsPerIp }),
      );
    }
    definition.configure?.(app, { config, env, bus, logger, info });
    app.connectMicroservice({ strategy: new BusTransport(bus, definition.name) });
    await app.startAllMicroservices();
    await app.listen(port, host);
  } catch (error) {
    // A provider that fails to start (database unreachable…) must not leave the bus connected.
    await app?.close().catch(() => undefined);
    if (bus.kind === 'nats') await bus.drain().catch(() => undefined);
    await tracing?.stop();
    throw error;
  }
  const running = app;
  const address = running.getHttpServer().address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  logger.write('info', `${definition.name} listening`, {
    port: boundPort,
    bus: bus.kind,
    version: info.version,
    instanceId: info.instanceId,
  });
  let closing: Promise<void> | undefined;
  return {
    name: definition.name,
    app: running,
    bus,
    logger,
    port: boundPort,
    shutdownGraceMs: common.SHUTDOWN_GRACE_MS,
    close: () =>
      (closing ??= (async () => {
        // The bus stays up while HTTP drains: requests in flight still verify keys and record usage.
        const { forced } = await drainHttpServer(running.getHttpServer() as Server, common.SHUTDOWN_GRACE_MS);
        if (forced > 0) {
          logger.write('warn', `shutdown grace over (SHUTDOWN_GRACE_MS=${common.SHUTDOWN_GRACE_MS}): closed ${forced} open connections`);
        }
        // Then the shutdown hooks (usage flushed, databases closed) and the NATS connection (the
        // in-process bus is shared by the embedded services; each only drops its own handlers).
        await running.close();
        if (bus.kind === 'nats') await bus.drain();
        // The last spans leave before the process may exit.
        await tracing?.stop();
        logger.write('info', `${definition.name} stopped`);
      })()),
  };
}

/**
 * Node checks request deadlines only every `connectionsCheckingInterval` (30 s by default), and
 * Fastify turns Node's request timeout off unless told: a body that never finishes held its socket
 * for ever. The expiry reaches `openAIClientErrorHandler`, which answers 408.
 */
function requestTimeouts(ms: number | undefined): { requestTimeout?: number; http?: { connectionsCheckingInterval: number; headersTimeout: number } } {
  if (!ms) return {};
  return { requestTimeout: ms, http: { connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(ms / 4))), headersTimeout: Math.min(60_000, ms) } };
}
