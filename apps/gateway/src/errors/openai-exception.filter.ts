import { JsonLogger } from '@iir/platform';
import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { anthropicErrorBody, isAnthropicPath } from '../messages/anthropic-error';
import { ApiError } from './api-error';

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

/**
 * Every HTTP error leaves the gateway in OpenAI's shape `{error:{message,type,code,param}}`, with
 * the matching status; on Anthropic's routes (`/v1/messages…`) in Anthropic's
 * `{type:"error",error:{type,message}}`. A client's mistake is never a 500.
 */
@Catch()
export class OpenAIExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: JsonLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const error = this.toApiError(exception);
    if (error.status >= 500 && error.code === 'internal_error') {
      this.logger.write('error', 'unhandled error', { err: exception });
    }
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.end();
      return;
    }
    if (error.options.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.options.retryAfterSeconds));
    for (const [k, v] of Object.entries(error.options.headers ?? {})) void reply.header(k, v);
    const url = host.switchToHttp().getRequest<FastifyRequest>().url;
    const body = isAnthropicPath(url) ? anthropicErrorBody(error) : error.toBody();
    void reply.status(error.status).header('content-type', 'application/json').send(body);
  }

  private toApiError(exception: unknown): ApiError {
    if (exception instanceof ApiError) return exception;
    if (exception instanceof HttpException) return fromHttpException(exception);
    const fastify = exception as FastifyLikeError;
    switch (fastify?.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return new ApiError('invalid_json', `We could not parse the JSON body of your request. (${fastify.message ?? ''})`);
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return new ApiError('body_too_large', 'The request body is larger than this gateway accepts.');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return new ApiError('invalid_request_error', 'Send the body as JSON with Content-Type: application/json.', {
          status: 415,
        });
      default:
        break;
    }
    if (exception instanceof SyntaxError) {
      return new ApiError('invalid_json', `We could not parse the JSON body of your request. (${exception.message})`);
    }
    if (typeof fastify?.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
      return new ApiError('invalid_request_error', fastify.message ?? 'Bad request', { status: fastify.statusCode });
    }
    return ApiError.from(exception);
  }
}

function fromHttpException(exception: HttpException): ApiError {
  const status = exception.getStatus();
  if (status === 404) return new ApiError('not_found', 'Unknown request URL. Please check the URL and method.');
  // Nest wraps Fastify's body-parser errors into plain HttpExceptions, keeping only the message.
  if (status === 400 && /JSON/.test(exception.message)) {
    return new ApiError('invalid_json', `We could not parse the JSON body of your request. (${exception.message})`);
  }
  if (status === 413) return new ApiError('body_too_large', 'The request body is larger than this gateway accepts.');
  if (status === 401) return new ApiError('invalid_api_key', exception.message);
  if (status === 403) return new ApiError('permission_denied', exception.message);
  if (status >= 400 && status < 500) return new ApiError('invalid_request_error', exception.message, { status });
  return new ApiError('internal_error', 'The server had an error while processing your request.');
}
