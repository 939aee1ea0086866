import { requireService, ServiceProcesses, TEST_NATS_URL } from '@iir/testing';
import { E2eWorkspace, expectCleanExit, SEPARATE_SERVICES, startOverNats } from './support/e2e-stack';

describe('graceful shutdown', () => {
  const procs = new ServiceProcesses();
  let ws: E2eWorkspace;

  beforeAll(async () => {
    await requireService('NATS', TEST_NATS_URL);
    ws = new E2eWorkspace('stop');
  });

  afterEach(() => procs.killAll());
  afterAll(() => ws?.dispose());

  it.each(SEPARATE_SERVICES)('%s exits with code 0 on SIGTERM, after logging that it stopped', async (app) => {
    const { process } = await startOverNats(procs, ws, app);

    const status = await process.stop();

    expectCleanExit(process, status);
    expect(process.logs.some((l) => l.msg === `${app} stopped`)).toBe(true);
  });
});
