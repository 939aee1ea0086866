import { requireService, ServiceProcesses, TEST_NATS_URL } from '@iir/testing';
import { E2eWorkspace, startOverNats, startSeparately, waitForGatewayHealth } from './support/e2e-stack';

describe('gateway /health when a service dies', () => {
  const procs = new ServiceProcesses();
  let ws: E2eWorkspace;

  beforeAll(async () => {
    await requireService('NATS', TEST_NATS_URL);
    ws = new E2eWorkspace('fail');
  });

  afterAll(async () => {
    await procs.killAll();
    ws?.dispose();
  });

  it('answers 503 naming the killed router, and 200 again once it is restarted', async () => {
    const stack = await startSeparately(procs, ws);
    const gatewayPort = stack.gateway.port;
    const before = await waitForGatewayHealth(gatewayPort, (s) => s === 200, {
      timeoutMs: 10_000,
      what: 'gateway /health to answer 200 with every service up',
      procs,
    });
    const firstRouter = before.body.services.find((s) => s.name === 'router');

    await stack.router.process.kill();

    const down = await waitForGatewayHealth(gatewayPort, (s, body) => s === 503 && body.missing.includes('router'), {
      timeoutMs: 5_000,
      what: 'gateway /health to answer 503 with router missing',
      procs,
    });
    expect(down.body.status).toBe('error');
    expect(down.body.missing).toEqual(['router']);
    expect(down.body.services.find((s) => s.name === 'router')?.status).toBe('down');

    await startOverNats(procs, ws, 'router');

    const back = await waitForGatewayHealth(gatewayPort, (s) => s === 200, {
      timeoutMs: 10_000,
      what: 'gateway /health to answer 200 after the router restarted',
      procs,
    });
    expect(back.body.missing).toEqual([]);
    const router = back.body.services.find((s) => s.name === 'router');
    expect(router?.status).toBe('up');
    expect(router?.instanceId).toBeDefined();
    expect(router?.instanceId).not.toBe(firstRouter?.instanceId);
  }, 45_000);
});
