import { readSseEvents, SseDecoder, type SseEvent } from './sse-decoder';

function decodeInPieces(text: string, cuts: number[]): SseEvent[] {
  const decoder = new SseDecoder();
  const out: SseEvent[] = [];
  let at = 0;
  for (const cut of [...cuts, text.length]) {
    decoder.push(text.slice(at, cut), out);
    at = cut;
  }
  decoder.end(out);
  return out;
}

const STREAM =
  ': keep-alive\r\n\r\n' +
  'data: {"a":1}\r\n\r\n' +
  'event: message_start\ndata: {"type":"message_start"}\n\n' +
  'data: first line\ndata:second line\ndata:  two spaces\n\n' +
  'id: 7\nretry: 1000\ndata: [DONE]\r\r';

const EXPECTED: SseEvent[] = [
  { event: undefined, data: '{"a":1}' },
  { event: 'message_start', data: '{"type":"message_start"}' },
  { event: undefined, data: 'first line\nsecond line\n two spaces' },
  { event: undefined, data: '[DONE]' },
];

describe(SseDecoder.name, () => {
  it('parses LF, CRLF and CR line endings, comments, event names and multi-line data', () => {
    expect(decodeInPieces(STREAM, [])).toEqual(EXPECTED);
  });

  it('gives the same events however the text is split, including between \\r and \\n', () => {
    for (let cut = 1; cut < STREAM.length; cut++) expect(decodeInPieces(STREAM, [cut])).toEqual(EXPECTED);
    expect(decodeInPieces(STREAM, Array.from({ length: STREAM.length - 1 }, (_, i) => i + 1))).toEqual(EXPECTED);
  });

  it('ignores events without data and resets the event name after each event', () => {
    expect(decodeInPieces('event: ping\n\ndata: x\n\n', [])).toEqual([{ event: undefined, data: 'x' }]);
  });

  it('delivers a last event that lacks its blank line when the input ends', () => {
    expect(decodeInPieces('data: a\n\ndata: [DONE]\n', [])).toEqual([
      { event: undefined, data: 'a' },
      { event: undefined, data: '[DONE]' },
    ]);
    expect(decodeInPieces('data: [DONE]', [])).toEqual([{ event: undefined, data: '[DONE]' }]);
  });

  it('treats a field without a colon as a field with an empty value', () => {
    expect(decodeInPieces('data\n\n', [])).toEqual([{ event: undefined, data: '' }]);
  });
});

describe(readSseEvents.name, () => {
  it('keeps multi-byte UTF-8 characters whole when the bytes are split inside them', async () => {
    const bytes = Buffer.from('data: café ☕ 日本\n\n');
    async function* oneByteAtATime(): AsyncGenerator<Buffer> {
      for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
    }
    const events: SseEvent[] = [];
    for await (const event of readSseEvents(oneByteAtATime())) events.push(event);
    expect(events).toEqual([{ event: undefined, data: 'café ☕ 日本' }]);
  });
});
