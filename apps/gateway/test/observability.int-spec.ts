import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeOpenAIServer, waitFor } from '@iir/testing';
import OpenAI from 'openai';
import { GatewayHarness, target } from './gateway-harness';

const STATIC_KEY = 'static-secret-for-the-log-test-1234567890';

/** Metric value from a Prometheus text exposition, by exact series (name plus its labels). */
function series(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    const wanted = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (wanted) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** The gateway's request metrics and its one-line-per-request log, after real traffic. */
describe('gateway metrics and request log (real NATS, fake upstreams)', () => {
  const h = new GatewayHarness();
  const primary = new FakeOpenAIServer();
  const backup = new FakeOpenAIServer();
  let dir: string;
  let client: OpenAI;
  const metrics = async (): Promise<string> => (await fetch(`${h.baseUrl}/metrics`)).text();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gw-log-'));
    await Promise.all([primary.start(), backup.start()]);
    await h.start({ GATEWAY_API_KEYS: STATIC_KEY, REQUEST_LOG_FILE: path.join(dir, 'requests.log'), CACHE_TTL: '0' });
    h.routes.set('fake/obs', [target('fake/obs', primary.baseUrl)]);
    h.routes.set('fake/obs-flaky', [target('fake/obs-flaky', primary.baseUrl), target('fake/obs-backup', backup.baseUrl)]);
    client = new OpenAI({ baseURL: `${h.baseUrl}/v1`, apiKey: STATIC_KEY, maxRetries: 0 });
  });

  afterAll(async () => {
    await h.stop();
    await Promise.all([primary.close(), backup.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('counts requests, durations, time to first token, tokens and upstream attempts by bounded labels', async () => {
    const before = await metrics();
    const reply = await client.chat.completions.create({ model: 'fake/obs', messages: [{ role: 'user', content: 'count me' }] });
    const stream = await client.chat.completions.create({ model: 'fake/obs', messages: [{ role: 'user', content: 'stream me' }], stream: true });
    for await (const _ of stream) void _;
    await expect(client.chat.completions.create({ model: 'no-such/model-xyz', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 404 });
    const after = await metrics();
    const grew = (name: string, labels: Record<string, string>): number => series(after, name, labels) - series(before, name, labels);

    const ok = { model: 'fake/obs', target: 'fake/obs', status: '200' };
    expect(series(after, 'iir_gateway_requests_total', ok) - series(before, 'iir_gateway_requests_total', ok)).toBe(2);
    expect(grew('iir_gateway_requests_total', { status: '404', model: '(unresolved)' })).toBe(1);
    // What a client typed for an unknown model never becomes a label.
    expect(after).not.toContain('no-such/model-xyz');
    expect(grew('iir_gateway_request_duration_seconds_count', { model: 'fake/obs', stream: 'true' })).toBe(1);
    expect(series(after, 'iir_gateway_ttft_seconds_count', { model: 'fake/obs' }) - series(before, 'iir_gateway_ttft_seconds_count', { model: 'fake/obs' })).toBe(2);
    const prompt = series(after, 'iir_gateway_tokens_total', { model: 'fake/obs', direction: 'prompt' }) - series(before, 'iir_gateway_tokens_total', { model: 'fake/obs', direction: 'prompt' });
    expect(prompt).toBeGreaterThanOrEqual(reply.usage?.prompt_tokens ?? 1);
    expect(grew('iir_gateway_upstream_attempts_total', { provider: 'fake', outcome: 'ok' })).toBe(2);
    expect(grew('iir_gateway_upstream_duration_seconds_count', { provider: 'fake', outcome: 'ok' })).toBe(2);
    expect(series(after, 'iir_gateway_in_flight_requests')).toBe(0);
  });

  it('counts retries and fallbacks', async () => {
    const before = await metrics();
    primary.failNext(2, 503);
    await client.chat.completions.create({ model: 'fake/obs-flaky', messages: [{ role: 'user', content: 'fall back' }] });
    const after = await metrics();
    expect(series(after, 'iir_gateway_retries_total', { provider: 'fake' }) - series(before, 'iir_gateway_retries_total', { provider: 'fake' })).toBe(1);
    expect(series(after, 'iir_gateway_fallbacks_total', { model: 'fake/obs-flaky' }) - series(before, 'iir_gateway_fallbacks_total', { model: 'fake/obs-flaky' })).toBe(1);
    expect(series(after, 'iir_gateway_upstream_attempts_total', { provider: 'fake', outcome: 'error' }) - series(before, 'iir_gateway_upstream_attempts_total', { provider: 'fake', outcome: 'error' })).toBe(2);
  });

  it('writes one JSON line per request to the daily file, with the key id but never the key', async () => {
    const { response } = await client.chat.completions
      .create({ model: 'fake/obs', messages: [{ role: 'user', content: 'log me' }] }, { headers: { 'x-request-id': 'client-log-id-1' } })
      .withResponse();
    const id = response.headers.get('x-request-id');
    // The gateway's own id keys the line; the client's rides along beside it.
    expect(id).not.toBe('client-log-id-1');
    const file = (await waitFor(async () => (await readdir(dir)).find((f) => /^requests-\d{4}-\d{2}-\d{2}\.log$/.test(f)))) ?? '';
    const found = await waitFor(async () => {
      const text = await readFile(path.join(dir, file), 'utf8');
      return text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l['requestId'] === id);
    });
    const line = found ?? {};
    expect(line).toMatchObject({ msg: 'request', clientRequestId: 'client-log-id-1', model: 'fake/obs', target: 'fake/obs', status: 200, cacheHit: false, stream: false, attempts: 1 });
    expect(line['latencyMs']).toEqual(expect.any(Number));
    expect(line['ttftMs']).toEqual(expect.any(Number));
    expect(line['promptTokens']).toBeGreaterThan(0);
    expect(await readFile(path.join(dir, file), 'utf8')).not.toContain(STATIC_KEY);
  });
});
