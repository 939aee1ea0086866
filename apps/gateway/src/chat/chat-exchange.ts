import { randomUUID } from 'node:crypto';
import type { ChatCompletionRequest, RoutePin, Target } from '@iir/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { principalOf, type Principal } from '../auth/principal';
import { ApiError } from '../errors/api-error';
import type { Reservation } from '../limits/rate-limiter';
import { estimateTokens } from '../limits/token-estimate';
import { RequestOutcome } from '../usage/request-outcome';
import type { ResponseFormat } from './response-format';

/**
 * One chat request on its way through the pipeline: who asks, what for, how to answer, and what
 * happened so far (the outcome the ledger records, the limit reservations to settle). Each step
 * reads and adds to it; none calls another.
 */
export class ChatExchange {
  /** Always our own id: it keys the ledger, so a client's id must never be able to collide with another request's. */
  readonly requestId = randomUUID();
  readonly principal: Principal;
  readonly outcome: RequestOutcome;
  readonly reservations: Array<Reservation | undefined> = [];
  /** Aborted when the client goes away before the answer is sent: the upstream call stops at once. */
  readonly signal: AbortSignal;
  pin: RoutePin | undefined;
  /**
   * For a key limited to some models: the registry model the requested name is (by name or alias),
   * if it is one. Only that resolution lets an allowed name stand for its target; a bare id the
   * router resolves must be allowed as the target itself.
   */
  requestedModel: string | undefined;
  private estimated: number | undefined;

  constructor(
    readonly body: ChatCompletionRequest,
    readonly request: FastifyRequest,
    readonly reply: FastifyReply,
    readonly format: ResponseFormat,
  ) {
    const clientRequestId = clientRequestIdOf(request);
    this.principal = principalOf(request);
    this.outcome = new RequestOutcome(this.requestId, this.principal, body, clientRequestId);
    void reply.header('x-request-id', this.requestId);
    if (clientRequestId !== null) void reply.header('x-client-request-id', clientRequestId);
    const abort = new AbortController();
    this.signal = abort.signal;
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
  }

  /** The request's token estimate, computed once and only when a limit needs it. */
  readonly estimate = (): number => (this.estimated ??= estimateTokens(this.body));

  get stream(): boolean {
    return this.body.stream === true;
  }

  /** The answering target: the receipt and the ledger both name it. */
  answered(target: Target, attempts: number): void {
    this.outcome.answered(target);
    this.outcome.attempts = attempts;
  }

  /** What the ledger records for a failure; a client that went away is nginx's 499. */
  failed(error: unknown): ApiError {
    const apiError = this.signal.aborted ? clientClosed() : ApiError.from(error);
    this.outcome.failed(apiError);
    return apiError;
  }
}

export function clientClosed(): ApiError {
  return new ApiError('invalid_request_error', 'The client closed the request.', { status: 499 });
}

/** The longest client request id kept; longer ones are cut. */
export const CLIENT_REQUEST_ID_MAX = 128;

/**
 * The client's own `x-request-id`, kept for correlation only (never a key): printable ASCII, cut to
 * 128 characters; anything else is dropped, never an error.
 */
export function clientRequestIdOf(request: FastifyRequest): string | null {
  const given = request.headers['x-request-id'];
  const value = (Array.isArray(given) ? given[0] : given)?.trim();
  if (!value || !/^[\x20-\x7e]+$/.test(value)) return null;
  return value.slice(0, CLIENT_REQUEST_ID_MAX);
}
