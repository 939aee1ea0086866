import type { FastifyInstance } from 'fastify';

/** What a browser script may read of an answer: the receipt, the request id, the limits. */
const EXPOSED = [
  'x-request-id',
  'x-client-request-id',
  'x-iir-model',
  'x-iir-target',
  'x-iir-provider',
  'x-iir-attempts',
  'x-iir-policy',
  'x-iir-route-reason',
  'x-iir-cache',
  'x-iir-auto-tier',
  'x-iir-auto-label',
  'x-iir-auto-confidence',
  'x-iir-auto-complexity',
  'x-iir-token-count',
  'retry-after',
  'age',
  'x-ratelimit-limit-requests',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-reset-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-tokens',
].join(', ');

const METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
/** Request headers a preflight may ask for when it names none (the SDKs' usual ones). */
const DEFAULT_ALLOWED_HEADERS = 'authorization, content-type, x-api-key, anthropic-version, anthropic-beta, x-iir-route, x-iir-cache, x-request-id';
const PREFLIGHT_MAX_AGE_S = '600';

/** `CORS_ORIGINS`: comma-separated origins (`https://app.example.com`), or `*` for any. */
export function parseCorsOrigins(setting: string | undefined): { any: boolean; origins: Set<string> } {
  const list = (setting ?? '')
    .split(',')
    .map((o) => o.trim().replace(/\/+$/, '').toLowerCase())
    .filter(Boolean);
  return { any: list.includes('*'), origins: new Set(list.filter((o) => o !== '*')) };
}

/**
 * CORS for browser apps, off unless `CORS_ORIGINS` names origins. A request from an allowed origin
 * gets `Access-Control-Allow-Origin` (that origin, with `Vary: Origin`) and the receipt headers
 * exposed; a preflight from one is answered at once (204) with the methods and the headers it
 * asked for. Any other origin gets no CORS headers, so its browser refuses the answer; the
 * request itself is still judged by its key like any other (CORS protects browsers' users, it
 * is not authentication). Credentials (cookies) are never allowed: keys travel in headers.
 */
export function enableCors(fastify: FastifyInstance, setting: string | undefined): void {
  const { any, origins } = parseCorsOrigins(setting);
  if (!any && origins.size === 0) return;
  fastify.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    if (typeof origin !== 'string' || !(any || origins.has(origin.toLowerCase()))) return done();
    void reply.header('access-control-allow-origin', any ? '*' : origin);
    if (!any) void reply.header('vary', 'Origin');
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      const asked = request.headers['access-control-request-headers'];
      void reply
        .header('access-control-allow-methods', METHODS)
        .header('access-control-allow-headers', typeof asked === 'string' && asked.trim() ? asked : DEFAULT_ALLOWED_HEADERS)
        .header('access-control-max-age', PREFLIGHT_MAX_AGE_S)
        .code(204)
        .send();
      return;
    }
    void reply.header('access-control-expose-headers', EXPOSED);
    done();
  });
}
