import type { CacheMeta, CachedStream } from './cached-response';

export interface StreamRecorderLimits {
  /** Sum of the frames' UTF-8 sizes. */
  maxBytes: number;
  maxEvents?: number;
}

/**
 * Collects a streamed answer's SSE frames while they are sent, so a miss can be stored. A
 * stream that grows past the bounds, fails or is cut short is abandoned: `finish()` then gives
 * nothing, and the payloads kept so far are released at once.
 */
export class StreamRecorder {
  private events: string[] = [];
  private bytes = 0;
  private state: 'recording' | 'abandoned' | 'finished' = 'recording';
  private why: string | undefined;

  constructor(private readonly limits: StreamRecorderLimits) {}

  get abandoned(): boolean {
    return this.state === 'abandoned';
  }

  /** Why the recording was abandoned (for a debug log). */
  get reason(): string | undefined {
    return this.why;
  }

  get size(): { events: number; bytes: number } {
    return { events: this.events.length, bytes: this.bytes };
  }

  /** Frames as written to the client (one or more whole events). */
  add(payload: string): void {
    if (this.state !== 'recording') return;
    const bytes = Buffer.byteLength(payload);
    if (this.bytes + bytes > this.limits.maxBytes) return this.abandon('stream larger than the cache entry limit');
    if (this.limits.maxEvents !== undefined && this.events.length >= this.limits.maxEvents) return this.abandon('too many events');
    this.events.push(payload);
    this.bytes += bytes;
  }

  /** The stream failed, or the client went away: it must not be stored. */
  abandon(reason: string): void {
    if (this.state !== 'recording') return;
    this.state = 'abandoned';
    this.why = reason;
    this.events = [];
    this.bytes = 0;
  }

  /** The stream ended whole (its terminator added): the entry to store, or undefined if it was abandoned. */
  finish(meta: CacheMeta): CachedStream | undefined {
    if (this.state !== 'recording') return undefined;
    this.state = 'finished';
    const events = this.events;
    this.events = [];
    return { kind: 'stream', events, meta };
  }
}
