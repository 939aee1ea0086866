import { UpstreamError, type ProviderDescriptor, type UpstreamCall } from '../provider';
import type { UpstreamHttpClient, UpstreamResponse } from './upstream-client';
import { statusError, type CallPhase } from './upstream-errors';

export type Accept = 'json' | 'sse';

interface CachedHeaders {
  apiKey: string | undefined;
  json: Record<string, string>;
  sse: Record<string, string>;
}

/** Request headers per provider and key, built once: undici only reads them. */
const headerCache = new WeakMap<ProviderDescriptor, CachedHeaders>();

/**
 * Sends one call's body to `path` under the target's base URL (the registry's, else the
 * provider's default). Resolves with a 2xx response; any other status becomes the mapped
 * `UpstreamError`.
 */
export async function sendUpstream(
  http: UpstreamHttpClient,
  call: UpstreamCall,
  path: string,
  body: string,
  accept: Accept,
  /** Headers for this call only (an Anthropic client's `anthropic-version`/`anthropic-beta`). */
  extraHeaders?: Record<string, string>,
): Promise<UpstreamResponse> {
  const { provider, apiKey } = call;
  if (provider.apiKeyRequired === true && !apiKey) {
    // Retryable so that a plan falls through to its next target instead of failing outright.
    const where = provider.apiKeyVariable ? ` (${provider.apiKeyVariable})` : '';
    throw new UpstreamError('upstream_error', `The gateway has no API key configured for provider '${provider.id}'${where}.`, {
      retryable: true,
    });
  }
  const baseUrl = call.target.baseUrl || provider.defaultBaseUrl;
  if (!baseUrl) {
    throw new UpstreamError('upstream_error', `No base URL is configured for provider '${provider.id}'.`, { retryable: true });
  }
  const res = await http.post({
    baseUrl,
    path,
    headers: extraHeaders ? { ...requestHeaders(provider, apiKey, accept), ...extraHeaders } : requestHeaders(provider, apiKey, accept),
    body,
    signal: call.signal,
    timeouts: call.timeouts,
  });
  if (res.ok) return res;
  const text = await res.errorText();
  throw statusError(res.status, res.headers, text, provider.id, apiKey);
}

function requestHeaders(provider: ProviderDescriptor, apiKey: string | undefined, accept: Accept): Record<string, string> {
  let entry = headerCache.get(provider);
  if (entry === undefined || entry.apiKey !== apiKey) {
    const own = provider.headers(apiKey);
    entry = {
      apiKey,
      json: { ...own, 'content-type': 'application/json', accept: 'application/json' },
      sse: { ...own, 'content-type': 'application/json', accept: 'text/event-stream' },
    };
    headerCache.set(provider, entry);
  }
  return accept === 'json' ? entry.json : entry.sse;
}

/** The stream closed before its terminal event. */
export function endedEarly(phase: CallPhase, terminal: string): UpstreamError {
  return new UpstreamError(
    'upstream_error',
    phase === 'after-output'
      ? `upstream stream ended early: it closed without ${terminal}.`
      : `upstream stream ended early: it closed before sending any event.`,
    { retryable: phase === 'before-output' },
  );
}

/** An event that is not the JSON it should be. */
export function malformedEvent(phase: CallPhase): UpstreamError {
  return new UpstreamError('upstream_error', 'The upstream sent a malformed stream event.', { retryable: phase === 'before-output' });
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Waits for the first item of `source` and hands back an iterable that replays it, then the rest:
 * a failure before the first item rejects here, where the caller can still retry or fall back.
 * Returning early from the iterable (or never iterating past `return`) closes `source`.
 */
export async function primed<T>(source: AsyncGenerator<T, void>): Promise<AsyncIterable<T>> {
  const first = await source.next();
  let pending: IteratorResult<T, void> | undefined = first;
  const iterator: AsyncIterator<T, void> = {
    next: () => {
      if (pending === undefined) return source.next();
      const value = pending;
      pending = undefined;
      return Promise.resolve(value);
    },
    return: async () => {
      pending = undefined;
      return source.return(undefined);
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
