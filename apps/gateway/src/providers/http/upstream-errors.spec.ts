import { UpstreamError } from '../provider';
import { parseErrorBody, parseRetryAfter, redact, statusError, streamEventError, transportError } from './upstream-errors';

describe(parseRetryAfter.name, () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads seconds, fractional seconds and HTTP dates; prefers retry-after-ms', () => {
    expect(parseRetryAfter({ 'retry-after': '2' }, now)).toBe(2_000);
    expect(parseRetryAfter({ 'retry-after': '0.5' }, now)).toBe(500);
    expect(parseRetryAfter({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }, now)).toBe(30_000);
    expect(parseRetryAfter({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }, now)).toBe(0);
    expect(parseRetryAfter({ 'retry-after': '2', 'retry-after-ms': '150' }, now)).toBe(150);
  });

  it('is undefined when absent or unreadable', () => {
    expect(parseRetryAfter({}, now)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).toBeUndefined();
  });
});

describe(statusError.name, () => {
  const openAIBody = (message: string, type = 'invalid_request_error', param: string | null = null): string =>
    JSON.stringify({ error: { message, type, param, code: null } });

  it.each([
    [400, 'invalid_request_error', false],
    [404, 'invalid_request_error', false],
    [422, 'invalid_request_error', false],
    [401, 'upstream_error', false],
    [403, 'upstream_error', false],
    [408, 'upstream_timeout', true],
    [429, 'rate_limit_exceeded', true],
    [500, 'upstream_error', true],
    [502, 'upstream_unavailable', true],
    [503, 'upstream_unavailable', true],
    [504, 'upstream_timeout', true],
    [529, 'upstream_unavailable', true],
  ])('maps HTTP %i to %s (retryable: %s)', (status, code, retryable) => {
    const error = statusError(status, {}, openAIBody('boom'), 'acme', undefined);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code, options: { status, retryable } });
  });

  it('keeps a 4xx provider message, type and param as they are', () => {
    expect(statusError(400, {}, openAIBody('bad temperature', 'invalid_request_error', 'temperature'), 'acme', undefined)).toMatchObject({
      message: 'bad temperature',
      options: { param: 'temperature', upstreamType: 'invalid_request_error' },
    });
  });

  it('never passes on what a provider says about the gateway’s own key', () => {
    const error = statusError(401, {}, openAIBody('Incorrect API key provided: sk-live-abcdefghijkl'), 'acme', 'sk-live-abcdefghijkl');
    expect(error.message).not.toContain('sk-live');
    expect(error.message).toContain("Provider 'acme' rejected the gateway's credentials");
  });

  it('redacts the key and key-shaped strings from messages it does pass on', () => {
    const error = statusError(400, {}, openAIBody('bad request for key sk-abcdefghijklmnop and secret-123'), 'acme', 'secret-123');
    expect(error.message).toBe('bad request for key [redacted] and [redacted]');
  });
});

describe(parseErrorBody.name, () => {
  it('reads OpenAI, Anthropic, Gemini-array, string and FastAPI error bodies', () => {
    expect(parseErrorBody('{"error":{"message":"m","type":"t","param":"p","code":"c"}}')).toEqual({ message: 'm', type: 't', param: 'p', code: 'c' });
    expect(parseErrorBody('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')).toMatchObject({ message: 'Overloaded', type: 'overloaded_error' });
    expect(parseErrorBody('[{"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}}]')).toMatchObject({ message: 'bad', code: '400' });
    expect(parseErrorBody('{"error":"model not found"}')).toMatchObject({ message: 'model not found' });
    expect(parseErrorBody('{"detail":"Not Found"}')).toMatchObject({ message: 'Not Found' });
    expect(parseErrorBody('<html>502</html>')).toMatchObject({ message: undefined });
  });
});

describe(streamEventError.name, () => {
  const overloaded = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };

  it('keeps the mapped code and retryability before any output', () => {
    expect(streamEventError(overloaded, 'anthropic', undefined, 'before-output')).toMatchObject({
      code: 'upstream_unavailable',
      options: { retryable: true, upstreamType: 'overloaded_error' },
    });
  });

  it('is a final upstream_error once output went out', () => {
    const error = streamEventError(overloaded, 'anthropic', undefined, 'after-output');
    expect(error).toMatchObject({ code: 'upstream_error', options: { retryable: false } });
    expect(error.message).toMatch(/^upstream stream ended early/);
  });
});

describe(transportError.name, () => {
  it('maps connect failures to upstream_unavailable and timeouts to upstream_timeout, both retryable', () => {
    expect(transportError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), undefined, 'request', 1)).toMatchObject({ code: 'upstream_unavailable', options: { retryable: true } });
    expect(transportError(Object.assign(new Error('x'), { code: 'ENOTFOUND' }), undefined, 'request', 1)).toMatchObject({ code: 'upstream_unavailable' });
    expect(transportError(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNRESET' })]), undefined, 'request', 1)).toMatchObject({
      code: 'upstream_unavailable',
      message: expect.stringContaining('ECONNRESET'),
    });
    expect(transportError(Object.assign(new Error('x'), { code: 'UND_ERR_CONNECT_TIMEOUT' }), undefined, 'request', 1)).toMatchObject({ code: 'upstream_timeout', options: { retryable: true } });
    expect(transportError(Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), undefined, 'request', 1)).toMatchObject({ code: 'upstream_timeout' });
  });

  it('says why the gateway cut the call: the caller left (not retryable) or the total timeout (retryable)', () => {
    expect(transportError(new Error('aborted'), 'caller', 'request', 1)).toMatchObject({ code: 'upstream_error', options: { retryable: false } });
    expect(transportError(new Error('aborted'), 'timeout', 'request', 1_000)).toMatchObject({ code: 'upstream_timeout', options: { retryable: true } });
  });

  it('makes a connection lost after output a final “upstream stream ended early”', () => {
    const error = transportError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }), undefined, 'after-output', 1);
    expect(error).toMatchObject({ code: 'upstream_error', options: { retryable: false } });
    expect(error.message).toMatch(/^upstream stream ended early/);
  });
});

describe(redact.name, () => {
  it('leaves ordinary text alone', () => {
    expect(redact('max_tokens is too large', 'sk-x')).toBe('max_tokens is too large');
  });
});
