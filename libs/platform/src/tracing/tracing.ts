import type { Attributes, Context, Span } from '@opentelemetry/api';

type Api = typeof import('@opentelemetry/api');

/** The OpenTelemetry API, loaded by `startTracing`: a service with tracing off never loads it. */
let api: Api | undefined;

function otel(): Api {
  if (!api) throw new Error('tracing is off');
  return api;
}

/** The API's span kinds (the same numbers), usable without loading it. */
export const SpanKind = { INTERNAL: 0, SERVER: 1, CLIENT: 2, PRODUCER: 3, CONSUMER: 4 } as const;
export type SpanKindValue = (typeof SpanKind)[keyof typeof SpanKind];
/** The API's span status codes (the same numbers). */
export const SpanStatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/** `OTEL_*` settings, read once at boot by the service's config. */
export interface TracingSettings {
  /** `OTEL_EXPORTER_OTLP_ENDPOINT`: the collector's base URL (`/v1/traces` is appended). */
  endpoint?: string;
  /** `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`: the full traces URL, when given. */
  tracesEndpoint?: string;
  /** `OTEL_SERVICE_NAME`, else `iir-<service>`. */
  serviceName: string;
  /** `OTEL_CAPTURE_CONTENT=true`: prompts and answers may be span attributes (never by default). */
  captureContent: boolean;
}

interface Started {
  shutdown(): Promise<void>;
  users: number;
}

let started: Started | undefined;
let starting: Promise<Started> | undefined;
let capture = false;

/**
 * Traces are off unless an OTLP endpoint is set: then one tracer provider per process (the
 * embedded services share it) exports spans over OTLP/HTTP in batches, W3C `traceparent` is the
 * propagation format, and the active span follows async calls (AsyncLocalStorage). Off, every
 * helper here returns at once and no OpenTelemetry SDK is even loaded.
 */
export async function startTracing(settings: TracingSettings): Promise<{ stop(): Promise<void> } | undefined> {
  const url = settings.tracesEndpoint || (settings.endpoint ? `${settings.endpoint.replace(/\/+$/, '')}/v1/traces` : undefined);
  if (!url) return undefined;
  capture = settings.captureContent;
  starting ??= (async () => {
    api = await import('@opentelemetry/api');
    const { context, propagation, trace } = api;
    const [{ BasicTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { resourceFromAttributes }] =
      await Promise.all([
        import('@opentelemetry/sdk-trace-base'),
        import('@opentelemetry/exporter-trace-otlp-http'),
        import('@opentelemetry/context-async-hooks'),
        import('@opentelemetry/core'),
        import('@opentelemetry/resources'),
      ]);
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 500, maxExportBatchSize: 512 })],
    });
    trace.setGlobalTracerProvider(provider);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const state: Started = {
      users: 0,
      shutdown: async () => {
        await provider.shutdown().catch(() => undefined);
        trace.disable();
        context.disable();
        propagation.disable();
      },
    };
    started = state;
    return state;
  })();
  const state = await starting;
  state.users++;
  return {
    stop: async () => {
      if (--state.users > 0) return;
      started = undefined;
      starting = undefined;
      await state.shutdown();
    },
  };
}

/** Whether spans are being recorded in this process: callers skip all tracing work when not. */
export function tracingEnabled(): boolean {
  return started !== undefined;
}

/** Whether prompts and answers may go into span attributes (`OTEL_CAPTURE_CONTENT=true`). */
export function contentCaptured(): boolean {
  return started !== undefined && capture;
}

/** A span started now under `parent` (default: the active span), to end by the caller. Tracing must be on. */
export function startSpan(name: string, attributes: Attributes, kind: SpanKindValue = SpanKind.INTERNAL, parent?: Context): Span {
  const { context, trace } = otel();
  return trace.getTracer('iir').startSpan(name, { kind: kind as number, attributes }, parent ?? context.active());
}

/**
 * Runs `work` inside a child span of the active one (the active span while it runs, so calls it
 * makes nest under it and carry it over the bus); a thrown error marks the span. Off: just `work`.
 */
export async function inSpan<T>(name: string, attributes: Attributes, work: (span: Span | undefined) => Promise<T>, kind: SpanKindValue = SpanKind.INTERNAL): Promise<T> {
  if (started === undefined) return work(undefined);
  const span = startSpan(name, attributes, kind);
  try {
    return await withSpan(span, () => work(span));
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Marks a span failed with the error's type (its code when it has one) and message. */
export function failSpan(span: Span, error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  span.setAttribute('error.type', typeof code === 'string' ? code : error instanceof Error ? error.name : 'error');
  span.setStatus({ code: SpanStatusCode.ERROR as number, message: error instanceof Error ? error.message.slice(0, 256) : String(error).slice(0, 256) });
}

/** The active context (the caller's, in process). */
export function activeContext(): Context {
  return otel().context.active();
}

/** The active span (the request's, in a handler), when tracing is on. */
export function activeSpan(): Span | undefined {
  return started === undefined ? undefined : otel().trace.getActiveSpan();
}

/** Runs `work` with `span` active. */
export function withSpan<T>(span: Span, work: () => T): T {
  const { context, trace } = otel();
  return context.with(trace.setSpan(context.active(), span), work);
}

/** The active trace as message headers (`traceparent`, `tracestate`), or undefined when off or there is none. */
export function traceHeaders(): Record<string, string> | undefined {
  if (started === undefined) return undefined;
  const { context, propagation } = otel();
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier['traceparent'] ? carrier : undefined;
}

/** The context a message's (or request's) `traceparent` names; the root context without one. */
export function contextFrom(headers: Readonly<Record<string, string | string[] | undefined>> | undefined): Context {
  const { propagation, ROOT_CONTEXT } = otel();
  if (!headers) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, headers, {
    get: (carrier, key) => carrier[key],
    keys: (carrier) => Object.keys(carrier),
  });
}

export type { Span };
