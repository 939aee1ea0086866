import type { FastifyInstance } from 'fastify';
import { jsonDeeperThan, MAX_JSON_DEPTH } from '@iir/platform';
import { ApiError } from '../errors/api-error';
import { anthropicErrorBody, isAnthropicPath } from '../messages/anthropic-error';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Every route of the gateway speaks JSON: a request that carries a body of another type (a form
 * post, text/plain, none given) is refused with 415 before anything parses it, so no route can be
 * reached with a body its validators never thought about.
 */
export function refuseNonJsonBodies(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!WITH_BODY.has(request.method)) return done();
    const length = request.headers['content-length'];
    const hasBody = request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
    const type = request.headers['content-type'];
    if (!hasBody || (type !== undefined && JSON_TYPE.test(type))) return done();
    const error = new ApiError(
      'unsupported_media_type',
      `This route takes a JSON body: send 'Content-Type: application/json' (got ${type === undefined ? 'no content type' : `'${type}'`}).`,
    );
    void reply.status(error.status).header('content-type', 'application/json').send(isAnthropicPath(request.url) ? anthropicErrorBody(error) : error.toBody());
  });
}

/**
 * The JSON body parser with a depth limit: a document nested deeper than MAX_JSON_DEPTH is a 400
 * naming the limit (a 10 KB body of brackets would otherwise overflow the stack on its way
 * upstream). Prototype poisoning is still refused by Fastify's own parser, which does the rest.
 */
export function limitJsonDepth(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (jsonDeeperThan(text)) {
      done(new ApiError('invalid_json', `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels, the most this gateway accepts.`), undefined);
      return;
    }
    // Fastify's parser may answer synchronously or with a promise; a rejection goes to `done` either way.
    Promise.resolve(parse(request, text, done)).catch((error: unknown) => done(error as Error, undefined));
  });
}
