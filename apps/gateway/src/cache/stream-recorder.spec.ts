import type { CacheMeta } from './cached-response';
import { StreamRecorder } from './stream-recorder';

const meta: CacheMeta = { model: 'm', target: 't', provider: 'p', storedAt: 0 };

describe(StreamRecorder.name, () => {
  it('gives the payloads in order once the stream finished', () => {
    const recorder = new StreamRecorder({ maxBytes: 1_000 });
    recorder.add('{"n":1}');
    recorder.add('{"n":2}');
    expect(recorder.finish(meta)).toEqual({ kind: 'stream', events: ['{"n":1}', '{"n":2}'], meta });
  });

  it('abandons a stream that grows past maxBytes, and gives nothing at the end', () => {
    const recorder = new StreamRecorder({ maxBytes: 10 });
    recorder.add('12345');
    recorder.add('12345');
    expect(recorder.abandoned).toBe(false);
    recorder.add('1');
    expect(recorder.abandoned).toBe(true);
    expect(recorder.size).toEqual({ events: 0, bytes: 0 });
    recorder.add('more');
    expect(recorder.finish(meta)).toBeUndefined();
  });

  it('abandons a stream with more than maxEvents events', () => {
    const recorder = new StreamRecorder({ maxBytes: 1_000, maxEvents: 2 });
    recorder.add('a');
    recorder.add('b');
    recorder.add('c');
    expect(recorder.abandoned).toBe(true);
    expect(recorder.reason).toBe('too many events');
  });

  it('gives nothing for a stream that failed or was cut short', () => {
    const recorder = new StreamRecorder({ maxBytes: 1_000 });
    recorder.add('a');
    recorder.abandon('client closed the stream');
    expect(recorder.reason).toBe('client closed the stream');
    expect(recorder.finish(meta)).toBeUndefined();
  });

  it('finishes once: later events and a second finish are ignored', () => {
    const recorder = new StreamRecorder({ maxBytes: 1_000 });
    recorder.add('a');
    expect(recorder.finish(meta)?.events).toEqual(['a']);
    recorder.add('b');
    expect(recorder.finish(meta)).toBeUndefined();
  });
});
