/**
 * Splits a server-sent-event byte stream into events' `data` payloads. Handles events split
 * across reads, `\n` and `\r\n` line ends, comments (`: keep-alive`), multi-line data, and `event:`
 * names (Anthropic sends them).
 */
export async function* sseEvents(body: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<{ event: string; data: string }> {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  const decoder = new TextDecoder();
  for await (const piece of body) {
    buffer += typeof piece === 'string' ? piece : decoder.decode(piece, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      let line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === '') {
        if (data.length > 0) yield { event: event || 'message', data: data.join('\n') };
        event = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
    }
  }
  if (data.length > 0) yield { event: event || 'message', data: data.join('\n') };
}
