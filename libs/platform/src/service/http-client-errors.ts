import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** The OpenAI error body, for answers the HTTP layer gives before any route or filter runs. */
function errorBody(message: string, code: string): string {
  return JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code } });
}

function clientErrorAnswer(code: string | undefined): { status: number; message: string; code: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, message: 'The request line or headers are too large.', code: 'request_header_fields_too_large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return { status: 408, message: 'The request was not received in time.', code: 'request_timeout' };
    default:
      return { status: 400, message: 'The HTTP request is malformed.', code: 'bad_request' };
  }
}

/**
 * Fastify's `clientErrorHandler`: Node's parser refused the request (huge headers, a bad header
 * line, a timeout), so no route runs. Answers in the OpenAI error shape, then closes the socket.
 */
export function openAIClientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answer = clientErrorAnswer(error.code);
  if (socket.writable) {
    const body = errorBody(answer.message, answer.code);
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Fastify's `frameworkErrors`: errors of its router (a path parameter too long, a bad URL encoding). */
export function openAIFrameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  void reply
    .code(tooLong ? 414 : 400)
    .type('application/json; charset=utf-8')
    .send(errorBody(tooLong ? 'The request URL is too long.' : 'The request URL is malformed.', tooLong ? 'uri_too_long' : 'bad_request'));
}
