import type { ServerResponse } from 'node:http';
import { SseWriter } from '../execution/sse';
import type { CachedStream } from './cached-response';

/**
 * Sends a stored stream as the original was sent: the same headers and `data: …\n\n` framing
 * (`SseWriter`'s), the stored payloads in order, then `data: [DONE]`. One write: the whole stream
 * is already here, and it is bounded by the recorder's limit.
 */
export function replaySse(raw: ServerResponse, cached: CachedStream, headers: Record<string, string>): void {
  const sse = new SseWriter(raw);
  sse.open(200, headers);
  if (sse.closed) return;
  raw.write(cached.events.map((payload) => `data: ${payload}\n\n`).join(''));
  sse.done();
}
