import { contentCaptured, contextFrom, failSpan, SpanKind, SpanStatusCode, startSpan, tracingEnabled, withSpan, type Span } from '@iir/platform';
import type { FastifyInstance } from 'fastify';
import type { ChatExchange } from '../chat/chat-exchange';

/** The most characters of a prompt or answer an attribute takes (only with OTEL_CAPTURE_CONTENT=true). */
const MAX_CONTENT = 16_384;

/**
 * One server span per HTTP request (when tracing is on): it continues an incoming `traceparent`,
 * is the active span while the route runs (so auth, limits, cache, the plan and each upstream
 * attempt nest under it, and the plan's bus request carries it to the router), and ends when the
 * response does, with its status. Never a header value in it: keys travel in headers.
 */
export function traceRequests(fastify: FastifyInstance): void {
  if (!tracingEnabled()) return;
  const spans = new WeakMap<object, Span>();
  fastify.addHook('onRequest', (request, reply, done) => {
    const path = request.url.split('?')[0] ?? '/';
    const route = request.routeOptions.url ?? path;
    const span = startSpan(
      `${request.method} ${route}`,
      { 'http.request.method': request.method, 'url.path': path, 'http.route': route, 'iir.service': 'gateway' },
      SpanKind.SERVER,
      contextFrom(request.headers),
    );
    spans.set(request.raw, span);
    reply.raw.once('close', () => {
      const status = reply.raw.statusCode;
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      if (!reply.raw.writableFinished) span.setAttribute('iir.client_closed', true);
      span.end();
    });
    done();
  });
  // After the body is read (its stream events run outside any request's context): the route runs with the span active.
  fastify.addHook('preHandler', (request, _reply, done) => {
    const span = spans.get(request.raw);
    if (span) withSpan(span, done);
    else done();
  });
}

/** The request's GenAI attributes, set once it is over (semantic conventions for generative AI). */
export function annotateRequestSpan(span: Span, exchange: ChatExchange, error: unknown): void {
  const { body, outcome, format } = exchange;
  const record = outcome.toRecord();
  span.setAttribute('gen_ai.operation.name', format.surface === 'embeddings' ? 'embeddings' : 'chat');
  span.setAttribute('gen_ai.request.model', body.model);
  if (typeof body.max_tokens === 'number') span.setAttribute('gen_ai.request.max_tokens', body.max_tokens);
  if (typeof body.temperature === 'number') span.setAttribute('gen_ai.request.temperature', body.temperature);
  if (record.target) span.setAttribute('gen_ai.response.model', record.target);
  if (record.provider) span.setAttribute('gen_ai.system', record.provider);
  span.setAttribute('gen_ai.usage.input_tokens', record.promptTokens);
  span.setAttribute('gen_ai.usage.output_tokens', record.completionTokens);
  span.setAttribute('iir.request_id', record.requestId);
  span.setAttribute('iir.surface', format.surface);
  span.setAttribute('iir.cache', outcome.cacheResult);
  span.setAttribute('iir.attempts', outcome.attempts);
  span.setAttribute('iir.stream', record.stream);
  if (record.policy) span.setAttribute('iir.policy', record.policy);
  if (record.routeTier) span.setAttribute('iir.route.tier', record.routeTier);
  if (record.routePin) span.setAttribute('iir.route.pin', record.routePin);
  if (record.keyId) span.setAttribute('iir.key_id', record.keyId);
  if (contentCaptured()) span.setAttribute('gen_ai.input.messages', JSON.stringify(body.messages).slice(0, MAX_CONTENT));
  if (error !== undefined) failSpan(span, error);
}

/** With OTEL_CAPTURE_CONTENT=true, a JSON answer's text on the request span. */
export function captureAnswer(span: Span | undefined, answer: unknown): void {
  if (!span || !contentCaptured()) return;
  span.setAttribute('gen_ai.output.messages', JSON.stringify(answer).slice(0, MAX_CONTENT));
}
