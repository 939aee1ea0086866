import { requireService, TEST_NATS_URL, uniquePrefix } from '@iir/testing';
import { busContract } from './bus.contract';
import { NatsBus } from './nats-bus';

beforeAll(() => requireService('NATS', TEST_NATS_URL));

busContract(
  'NATS',
  () => NatsBus.connect({ servers: TEST_NATS_URL, subjectPrefix: uniquePrefix() }),
  (bus) => bus.drain(),
);

describe(NatsBus.name, () => {
  it('fails fast with a clear message when NATS is unreachable', async () => {
    const started = Date.now();
    await expect(NatsBus.connect({ servers: 'nats://127.0.0.1:1', connectTimeoutMs: 500 })).rejects.toMatchObject({
      code: 'service_unavailable',
      message: expect.stringContaining('cannot reach NATS at nats://127.0.0.1:1'),
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
