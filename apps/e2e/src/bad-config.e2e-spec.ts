import { ServiceProcesses } from '@iir/testing';
import { E2eWorkspace, expectFailedExit } from './support/e2e-stack';

describe('start-up with a bad setting', () => {
  const procs = new ServiceProcesses();
  let ws: E2eWorkspace;

  beforeAll(() => {
    ws = new E2eWorkspace('badcfg');
  });

  afterEach(() => procs.killAll());
  afterAll(() => ws?.dispose());

  it('all-in-one exits non-zero naming NATS_URL when it is not a NATS URL', async () => {
    const iir = procs.spawn('all-in-one', { env: ws.baseEnv({ NATS_URL: 'nonsense' }) });

    const status = await iir.waitForExit(15_000);

    expectFailedExit(iir, status);
    expect(iir.stderr).toMatch(/NATS_URL/);
    expect(iir.logs.some((l) => l.msg === 'gateway listening')).toBe(false);
  });

  it('all-in-one exits non-zero naming GATEWAY_PORT when it is not a number', async () => {
    const iir = procs.spawn('all-in-one', { env: ws.embeddedEnv({ GATEWAY_PORT: 'abc' }) });

    const status = await iir.waitForExit(15_000);

    expectFailedExit(iir, status);
    expect(iir.stderr).toMatch(/GATEWAY_PORT/);
    expect(iir.logs.some((l) => l.msg === 'gateway listening')).toBe(false);
  });

  it('the gateway alone exits non-zero at once, saying it cannot reach NATS, when NATS is unreachable', async () => {
    const gateway = procs.spawn('gateway', { env: ws.baseEnv({ NATS_URL: 'nats://127.0.0.1:1' }) });

    const status = await gateway.waitForExit(5_000);

    expectFailedExit(gateway, status);
    expect(gateway.stderr).toMatch(/cannot reach NATS/i);
    expect(gateway.stderr).toContain('nats://127.0.0.1:1');
  });
});
