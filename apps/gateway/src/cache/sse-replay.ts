import type { ServerResponse } from 'node:http';
import { SseWriter } from '../execution/sse';
import type { CachedStream } from './cached-response';

/**
 * Sends a stored stream as the original was sent: the same headers, then the stored frames
 * (terminator included) in one write: the whole stream is already here, and it is bounded by the
 * recorder's limit.
 */
export function replaySse(raw: ServerResponse, cached: CachedStream, headers: Record<string, string>): void {
  const sse = new SseWriter(raw);
  sse.open(200, headers);
  sse.end(cached.events.join(''));
}
