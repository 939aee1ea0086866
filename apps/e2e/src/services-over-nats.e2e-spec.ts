import { SERVICE_NAMES } from '@iir/contracts';
import { requireService, ServiceProcesses, TEST_NATS_URL } from '@iir/testing';
import {
  E2E_VERSION,
  E2eWorkspace,
  expectStatus,
  httpGet,
  parseJson,
  startSeparately,
  waitForGatewayHealth,
  type SeparateService,
  type Started,
} from './support/e2e-stack';

describe('services as separate processes over NATS', () => {
  const procs = new ServiceProcesses();
  let ws: E2eWorkspace;
  let stack: Record<SeparateService, Started>;

  beforeAll(async () => {
    await requireService('NATS', TEST_NATS_URL);
    ws = new E2eWorkspace('nats');
    stack = await startSeparately(procs, ws);
  }, 60_000);

  afterAll(async () => {
    await procs.killAll();
    ws?.dispose();
  });

  it('gateway /health is 200 and lists every service with its version and latency; the agent may be down', async () => {
    const { status, body } = await waitForGatewayHealth(stack.gateway.port, (s) => s === 200, {
      timeoutMs: 10_000,
      what: 'gateway /health to answer 200',
      procs,
    });

    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.missing).toEqual([]);
    expect(body.services.map((s) => s.name).sort()).toEqual([...SERVICE_NAMES].sort());
    for (const service of body.services) {
      expect(typeof service.latencyMs).toBe('number');
      if (service.name === 'agent') continue;
      expect({ name: service.name, status: service.status, version: service.version }).toEqual({
        name: service.name,
        status: 'up',
        version: E2E_VERSION,
      });
    }
    expect(body.missing).not.toContain('agent');
  });

  it.each(['router', 'registry', 'auth', 'classifier'] as const)(
    '%s answers its own GET /health with 200 and GET /metrics with Prometheus text',
    async (name) => {
      const { port, process } = stack[name];

      const health = await httpGet(port, '/health');
      expectStatus(health, 200, process);
      expect(parseJson<{ status: string }>(health).status).toBe('ok');

      const metrics = await httpGet(port, '/metrics');
      expectStatus(metrics, 200, process);
      expect(metrics.contentType).toMatch(/^text\/plain/);
      expect(metrics.text).toMatch(/^process_cpu_user_seconds_total \d/m);
    },
  );
});
