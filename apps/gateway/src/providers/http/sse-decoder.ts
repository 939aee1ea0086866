import { StringDecoder } from 'node:string_decoder';

/** One server-sent event: its `event:` type (if any) and its `data:` lines joined by `\n`. */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

const LF = 10;
const CR = 13;
const COLON = 58;
const SPACE = 32;

/**
 * Incremental server-sent-events parser (WHATWG rules): lines end in `\n`, `\r\n` or `\r` (a `\r`
 * at the end of one chunk and a `\n` at the start of the next are one line ending); a blank line
 * ends an event; `:` lines are comments; several `data:` lines join with `\n`; `id`/`retry` are
 * ignored. Text is scanned once, so a long line that arrives in many pieces stays linear.
 */
export class SseDecoder {
  private rest = '';
  private data: string | undefined;
  private event: string | undefined;
  private skipLeadingLf = false;

  /** Feeds decoded text; appends every completed event to `out`. */
  push(text: string, out: SseEvent[]): void {
    if (text.length === 0) return;
    let start = 0;
    if (this.skipLeadingLf) {
      this.skipLeadingLf = false;
      if (text.charCodeAt(0) === LF) start = 1;
    }
    const scanFrom = this.rest.length;
    const buf = scanFrom > 0 ? this.rest + text.slice(start) : start > 0 ? text.slice(start) : text;
    start = 0;
    const n = buf.length;
    for (let i = scanFrom; i < n; i++) {
      const c = buf.charCodeAt(i);
      if (c !== LF && c !== CR) continue;
      this.line(buf, start, i, out);
      if (c === CR) {
        if (i + 1 < n) {
          if (buf.charCodeAt(i + 1) === LF) i++;
        } else {
          this.skipLeadingLf = true;
        }
      }
      start = i + 1;
    }
    this.rest = start === 0 ? buf : start < n ? buf.slice(start) : '';
  }

  /**
   * The input ended. Unlike a browser, a last event that lacks its blank line is still delivered:
   * some servers close right after `data: [DONE]\n`.
   */
  end(out: SseEvent[]): void {
    if (this.rest.length > 0) {
      this.line(this.rest, 0, this.rest.length, out);
      this.rest = '';
    }
    this.dispatch(out);
  }

  private line(buf: string, start: number, end: number, out: SseEvent[]): void {
    if (start === end) {
      this.dispatch(out);
      return;
    }
    if (buf.charCodeAt(start) === COLON) return;
    let colon = buf.indexOf(':', start);
    if (colon === -1 || colon > end) colon = end;
    let valueStart = colon < end ? colon + 1 : end;
    if (valueStart < end && buf.charCodeAt(valueStart) === SPACE) valueStart++;
    const nameLength = colon - start;
    if (nameLength === 4 && buf.startsWith('data', start)) {
      const value = buf.slice(valueStart, end);
      this.data = this.data === undefined ? value : `${this.data}\n${value}`;
    } else if (nameLength === 5 && buf.startsWith('event', start)) {
      this.event = buf.slice(valueStart, end);
    }
  }

  private dispatch(out: SseEvent[]): void {
    if (this.data !== undefined) out.push({ event: this.event, data: this.data });
    this.data = undefined;
    this.event = undefined;
  }
}

/** Server-sent events from a byte stream; UTF-8 sequences split across chunks are kept whole. */
export async function* readSseEvents(body: AsyncIterable<Buffer | string>): AsyncGenerator<SseEvent> {
  const utf8 = new StringDecoder('utf8');
  const decoder = new SseDecoder();
  const events: SseEvent[] = [];
  for await (const chunk of body) {
    decoder.push(typeof chunk === 'string' ? chunk : utf8.write(chunk), events);
    if (events.length === 0) continue;
    for (const event of events) yield event;
    events.length = 0;
  }
  decoder.push(utf8.end(), events);
  decoder.end(events);
  for (const event of events) yield event;
}
