/** One window's state as the client sees it. */
export interface WindowUsage {
  limit: number;
  /** Requests or tokens counted in the window, this request included when it was admitted. */
  used: number;
  /** Until everything now counted has left the window (the window is back to its initial state). */
  resetMs: number;
}

/**
 * OpenAI's `x-ratelimit-*` headers for the windows that are limited; an unlimited dimension gets
 * no headers.
 */
export function rateLimitHeaders(requests: WindowUsage | undefined, tokens: WindowUsage | undefined): Record<string, string> {
  // Literals with constant names: built per limited request, and a fixed shape is cheaper than keys made one by one.
  if (requests && tokens) {
    return {
      'x-ratelimit-limit-requests': String(requests.limit),
      'x-ratelimit-remaining-requests': remaining(requests),
      'x-ratelimit-reset-requests': formatDuration(requests.resetMs),
      'x-ratelimit-limit-tokens': String(tokens.limit),
      'x-ratelimit-remaining-tokens': remaining(tokens),
      'x-ratelimit-reset-tokens': formatDuration(tokens.resetMs),
    };
  }
  if (requests) {
    return {
      'x-ratelimit-limit-requests': String(requests.limit),
      'x-ratelimit-remaining-requests': remaining(requests),
      'x-ratelimit-reset-requests': formatDuration(requests.resetMs),
    };
  }
  if (tokens) {
    return {
      'x-ratelimit-limit-tokens': String(tokens.limit),
      'x-ratelimit-remaining-tokens': remaining(tokens),
      'x-ratelimit-reset-tokens': formatDuration(tokens.resetMs),
    };
  }
  return {};
}

function remaining(usage: WindowUsage): string {
  return String(Math.max(0, usage.limit - usage.used));
}

/**
 * A duration the way OpenAI writes its reset headers (Go's `time.Duration` format at millisecond
 * precision): `20ms`, `1s`, `1.5s`, `6m0s`, `1h0m0s`; zero or less is `0s`.
 */
export function formatDuration(ms: number): string {
  const total = Math.ceil(ms);
  if (!(total > 0)) return '0s';
  if (total < 1_000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const secondsMs = total % 60_000;
  const seconds = `${Math.floor(secondsMs / 1_000)}${fraction(secondsMs % 1_000)}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}

function fraction(ms: number): string {
  if (ms === 0) return '';
  return `.${String(ms).padStart(3, '0').replace(/0+$/, '')}`;
}
