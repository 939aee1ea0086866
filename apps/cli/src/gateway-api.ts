/** The gateway's admin HTTP API, as the CLI uses it. */
export interface CliSettings {
  url: string;
  adminKey: string | undefined;
}

export class GatewayApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function call<T>(settings: CliSettings, method: string, pathname: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (settings.adminKey) headers['authorization'] = `Bearer ${settings.adminKey}`;
  let res: Response;
  try {
    res = await fetch(new URL(pathname, settings.url), {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new GatewayApiError(0, `cannot reach the gateway at ${settings.url}: ${(error as Error).message}`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw new GatewayApiError(res.status, `the gateway answered ${res.status} with something that is not JSON: ${text.slice(0, 200)}`);
  }
  if (!res.ok) {
    const message = (json as { error?: { message?: string } } | undefined)?.error?.message ?? text;
    throw new GatewayApiError(res.status, `${res.status}: ${message}`);
  }
  return json as T;
}
