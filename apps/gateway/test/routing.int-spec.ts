import { SUBJECTS, type AttemptReportedEvent, type RoutingStatusResponse } from '@iir/contracts';
import { FakeOpenAIServer, waitFor } from '@iir/testing';
import { GatewayHarness, target } from './gateway-harness';

const ADMIN = 'iir-test-admin-key-0123456789';
const USER = 'sk-user-1';

const STATUS: RoutingStatusResponse = {
  policies: [{ model: 'local/*', policy: 'least-loaded' }],
  config: { path: '/etc/iir/routing.yaml', loadedAt: '2026-01-01T00:00:00.000Z', error: null },
  cooldown: { failures: 3, ms: 30_000 },
  health: [
    {
      model: 'fake/dead', baseUrl: 'http://127.0.0.1:1/v1', state: 'open', consecutiveFailures: 3,
      cooldownUntil: '2026-01-01T00:00:30.000Z', lastOutcome: 'error', lastReportAt: '2026-01-01T00:00:00.000Z',
    },
  ],
  agents: [
    { agentId: 'mac-1', models: ['local/llama'], freshness: 'fresh', queueLength: 2, inFlight: 1, maxConcurrency: 4, lastHeartbeatAt: '2026-01-01T00:00:00.000Z' },
  ],
};

describe('gateway: GET /routing, attempt reports and llm-d errors', () => {
  const h = new GatewayHarness();
  const upstream = new FakeOpenAIServer();
  const reports: AttemptReportedEvent[] = [];

  beforeAll(async () => {
    await upstream.start();
    await h.start({ IIR_ADMIN_KEY: ADMIN, GATEWAY_API_KEYS: USER, UPSTREAM_RETRIES: '0' });
    h.bus.handle(SUBJECTS.router.status, () => STATUS, { queue: 'router' });
    h.bus.subscribe(SUBJECTS.gateway.attemptReported, (e) => void reports.push(e as AttemptReportedEvent));
    h.routes.set('fake/echo', [target('fake/dead', 'http://127.0.0.1:1/v1'), target('fake/echo', upstream.baseUrl)]);
    h.routes.set('llm-d/llama', [target('llm-d/llama', 'http://127.0.0.1:1/v1', { provider: 'llm-d', kind: 'llm-d' })]);
  });
  afterAll(async () => {
    await h.stop();
    await upstream.close();
  });

  const routing = (key?: string): Promise<Response> =>
    fetch(`${h.baseUrl}/routing`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  const chat = (model: string): Promise<Response> =>
    fetch(`${h.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${USER}` },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });

  it('GET /routing needs an admin key: 401 without one, 403 with a user key', async () => {
    expect((await routing()).status).toBe(401);
    expect((await routing(USER)).status).toBe(403);
  });

  it('GET /routing shows the policies, per-target health and the agents’ freshness and load', async () => {
    const res = await routing(ADMIN);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      object: 'routing.status',
      config: { path: '/etc/iir/routing.yaml', loaded_at: '2026-01-01T00:00:00.000Z', error: null },
      cooldown: { failures: 3, ms: 30_000 },
      policies: [{ model: 'local/*', policy: 'least-loaded' }],
      health: [
        {
          model: 'fake/dead', base_url: 'http://127.0.0.1:1/v1', state: 'open', consecutive_failures: 3,
          cooldown_until: '2026-01-01T00:00:30.000Z', last_outcome: 'error', last_report_at: '2026-01-01T00:00:00.000Z',
        },
      ],
      agents: [
        { agent_id: 'mac-1', models: ['local/llama'], freshness: 'fresh', queue_length: 2, in_flight: 1, max_concurrency: 4, last_heartbeat_at: '2026-01-01T00:00:00.000Z', loaded_models: [], state: {}, paused: false, paused_because: null },
      ],
    });
  });

  it('reports every attempt’s outcome to the router, naming the target model and base URL', async () => {
    const res = await chat('fake/echo');
    expect(res.status).toBe(200);
    const seen = await waitFor(() => (reports.length >= 2 ? reports.slice(0, 2) : null), { what: 'two attempt reports' });
    expect(seen).toEqual([
      expect.objectContaining({ model: 'fake/dead', provider: 'fake', baseUrl: 'http://127.0.0.1:1/v1', outcome: 'error' }),
      expect.objectContaining({ model: 'fake/echo', baseUrl: upstream.baseUrl, outcome: 'ok', latencyMs: expect.any(Number) }),
    ]);
  });

  it('an unreachable llm-d endpoint is a 503 naming the endpoint it called', async () => {
    const res = await chat('llm-d/llama');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('upstream_unavailable');
    expect(body.error.message).toContain('llm-d endpoint http://127.0.0.1:1/v1/chat/completions');
    expect(body.error.message).toContain('LLMD_ENDPOINT');
  });
});
