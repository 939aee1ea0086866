import type { ErrorCode } from './errors';

/**
 * The shape of every NATS conversation IIR has. Each subject maps to exactly one kind:
 * - `request`: one request, one reply;
 * - `stream`: one request, N chunks, then completion (or a typed error);
 * - `event`: fire-and-forget; fan-out to every subscribing service (and, for `broadcast` subjects,
 *   to every replica of it).
 */
export interface RequestContract<Req, Res> {
  kind: 'request';
  request: Req;
  response: Res;
}
export interface StreamContract<Req, Chunk> {
  kind: 'stream';
  request: Req;
  chunk: Chunk;
}
export interface EventContract<Payload> {
  kind: 'event';
  payload: Payload;
}
export type AnyContract =
  | RequestContract<unknown, unknown>
  | StreamContract<unknown, unknown>
  | EventContract<unknown>;

/** Options for a call on the bus. */
export interface CallOptions {
  /** How long to wait for the (first) reply before failing with `bus_timeout`. */
  timeoutMs?: number;
  /** Aborts the call (and, for streams, tells the responder to stop). */
  signal?: AbortSignal;
}

/** Subscription options for events. */
export interface SubscribeOptions {
  /**
   * Queue group: replicas of one service share the events (one of them gets each).
   * Leave unset for broadcast subjects, so every replica sees every event.
   */
  queue?: string;
}

export interface Subscription {
  unsubscribe(): void;
}

/** What a handler sees besides the payload. */
export interface HandlerContext {
  subject: string;
  /** Set when the caller aborted (streams only). */
  signal: AbortSignal;
  /** The message's headers (NATS): the caller's trace (`traceparent`) when tracing is on. */
  headers?: Record<string, string>;
}

export type RequestHandler<Req = unknown, Res = unknown> = (
  payload: Req,
  ctx: HandlerContext,
) => Promise<Res> | Res;
export type StreamHandler<Req = unknown, Chunk = unknown> = (
  payload: Req,
  ctx: HandlerContext,
) => AsyncIterable<Chunk>;
export type EventHandler<Payload = unknown> = (payload: Payload, subject: string) => void | Promise<void>;

/**
 * A message bus with the three conversation kinds. Implemented over NATS and in process; both pass
 * the same contract test suite. Subjects are plain strings here; `TypedBus` narrows them.
 */
export interface Bus {
  readonly kind: 'nats' | 'in-process';
  request<Res>(subject: string, payload: unknown, options?: CallOptions): Promise<Res>;
  stream<Chunk>(subject: string, payload: unknown, options?: CallOptions): AsyncIterable<Chunk>;
  publish(subject: string, payload: unknown): void;
  subscribe(subject: string, handler: EventHandler, options?: SubscribeOptions): Subscription;
  handle(subject: string, handler: RequestHandler, options?: SubscribeOptions): Subscription;
  handleStream(subject: string, handler: StreamHandler, options?: SubscribeOptions): Subscription;
  /** Finishes in-flight work and closes. */
  drain(): Promise<void>;
}

/** The error every bus call rejects with; `code` is part of the contract. */
export class BusError extends Error {
  override readonly name = 'BusError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toJSON(): SerializedError {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }

  static from(value: unknown): BusError {
    if (value instanceof BusError) return value;
    if (isSerializedError(value)) return new BusError(value.code, value.message, value.details);
    const message = value instanceof Error ? value.message : String(value);
    return new BusError('internal_error', message);
  }
}

export interface SerializedError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

function isSerializedError(value: unknown): value is SerializedError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}
