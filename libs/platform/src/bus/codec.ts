import { BusError, type SerializedError } from '@iir/contracts';

/**
 * Frames on the wire. A request reply is `{v}` or `{e}`; a stream is N `{c}` frames then `{end}`
 * or `{e}`. JSON so any NATS client (and `nats req` on a terminal) can read them.
 */
export type ReplyFrame = { v: unknown } | { e: SerializedError };
export type StreamFrame = { c: unknown } | { end: true } | { e: SerializedError };

export function encode(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value ?? null));
}

export function decode<T>(data: Uint8Array): T {
  if (data.length === 0) return undefined as T;
  return JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as T;
}

export function errorFrame(error: unknown): { e: SerializedError } {
  return { e: BusError.from(error).toJSON() };
}

/** Round-trips a value the way the wire does, so both buses hand handlers equal data. */
export function wireCopy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
