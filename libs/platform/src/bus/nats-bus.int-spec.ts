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
  it('answers a request whose reply is over max_payload with an error at once, not a timeout', async () => {
    const bus = await NatsBus.connect({ servers: TEST_NATS_URL, subjectPrefix: uniquePrefix() });
    try {
      const max = bus.connection.info?.max_payload ?? 1024 * 1024;
      bus.handle('test.big', () => 'x'.repeat(max + 10));
      await bus.connection.flush();
      // (without the check, the caller would wait out its timeout: bus_timeout)
      await expect(bus.request('test.big', {}, { timeoutMs: 10_000 })).rejects.toMatchObject({ code: 'invalid_request_error', message: expect.stringContaining('max_payload') });
    } finally {
      await bus.drain();
    }
  });

  it('fails fast with a clear message when NATS is unreachable', async () => {
    const started = Date.now();
    await expect(NatsBus.connect({ servers: 'nats://127.0.0.1:1', connectTimeoutMs: 500 })).rejects.toMatchObject({
      code: 'service_unavailable',
      message: expect.stringContaining('cannot reach NATS at nats://127.0.0.1:1'),
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
