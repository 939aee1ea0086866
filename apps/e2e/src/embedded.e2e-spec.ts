import { REQUIRED_SERVICES } from '@iir/contracts';
import { ServiceProcesses, type ServiceProcess } from '@iir/testing';
import { E2eWorkspace, expectCleanExit, waitForGatewayHealth } from './support/e2e-stack';

const ALL_IN_ONE = 'all-in-one';

describe('all-in-one, embedded mode (no NATS_URL)', () => {
  const procs = new ServiceProcesses();
  let ws: E2eWorkspace;
  let iir: ServiceProcess;
  let gatewayPort: number;

  beforeAll(async () => {
    ws = new E2eWorkspace('embedded');
    iir = procs.spawn(ALL_IN_ONE, { env: ws.embeddedEnv() });
    // The gateway starts last, once the services it needs are up.
    gatewayPort = await iir.waitForReady('gateway');
  }, 30_000);

  afterAll(async () => {
    await procs.killAll();
    ws?.dispose();
  });

  it('says once that it uses the in-process bus', () => {
    const mentions = iir.stdout.split('\n').filter((line) => /in-process bus/i.test(line));

    expect(mentions).toHaveLength(1);
    expect(iir.logs.filter((l) => typeof l['bus'] === 'string').map((l) => l['bus'])).not.toContain('nats');
  });

  it('answers /health with 200 and every required service up', async () => {
    const { status, body } = await waitForGatewayHealth(gatewayPort, (s) => s === 200, {
      timeoutMs: 10_000,
      what: 'gateway /health to answer 200',
      procs,
    });

    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.missing).toEqual([]);
    for (const name of REQUIRED_SERVICES) {
      expect({ name, status: body.services.find((s) => s.name === name)?.status }).toEqual({ name, status: 'up' });
    }
  });

  it('exits with code 0 on SIGTERM, after stopping every service', async () => {
    const own = procs.spawn(ALL_IN_ONE, { env: ws.embeddedEnv(), label: 'all-in-one (shutdown)' });
    await own.waitForReady('gateway');

    const status = await own.stop();

    expectCleanExit(own, status);
    for (const name of [...REQUIRED_SERVICES, 'gateway']) {
      expect(own.logs.filter((l) => l.msg === `${name} stopped`).map((l) => l.msg)).toEqual([`${name} stopped`]);
    }
  }, 30_000);
});
