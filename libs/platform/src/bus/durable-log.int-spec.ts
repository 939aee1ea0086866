import { requireService, TcpRelay, TEST_NATS_URL, uniquePrefix, waitFor } from '@iir/testing';
import { createDurableLog, destroyDurableLog, type DurableConsumer, type DurableLog } from './durable-log';
import { NatsBus } from './nats-bus';

interface Row {
  id: string;
}

describe('durable log over JetStream', () => {
  let bus: NatsBus;
  let prefix: string;
  let log: DurableLog<Row[]>;
  const consumers: DurableConsumer[] = [];

  beforeAll(() => requireService('NATS', TEST_NATS_URL));

  beforeEach(async () => {
    prefix = uniquePrefix('dlog');
    bus = await NatsBus.connect({ servers: TEST_NATS_URL, subjectPrefix: prefix });
    log = await createDurableLog<Row[]>(bus, { stream: 'DLOG_TEST', subject: 'test.rows.appended' });
  });

  afterEach(async () => {
    for (const c of consumers.splice(0)) await c.stop();
    await log.close();
    await destroyDurableLog(log);
    await bus.drain();
  });

  function publish(from: number, count: number, perBatch = 5): string[] {
    const ids: string[] = [];
    for (let i = from; i < from + count; i += perBatch) {
      const batch = Array.from({ length: Math.min(perBatch, from + count - i) }, (_, j) => ({ id: `r${i + j}` }));
      ids.push(...batch.map((r) => r.id));
      log.append(`b${i}`, batch);
    }
    return ids;
  }

  it('hands every one of a few thousand records to the consumer, each batch as it arrives', async () => {
    const seen = new Set<string>();
    consumers.push(await log.consume('ledger', async (batches) => void batches.flat().forEach((r) => seen.add(r.id))));

    const ids = publish(0, 3_000);

    // Far below the 30 s ack wait: nothing may wait for a redelivery.
    await waitFor(async () => (seen.size === ids.length ? true : undefined), { timeoutMs: 15_000, what: `${ids.length} records` });
    expect([...seen].sort()).toEqual([...ids].sort());
  });

  it('stops retrying once closed, even when the connection closes under a publish still in flight', async () => {
    const relay = await TcpRelay.start(TEST_NATS_URL);
    const held = await NatsBus.connect({ servers: `nats://127.0.0.1:${relay.port}`, subjectPrefix: prefix });
    try {
      const heldLog = await createDurableLog<Row[]>(held, { stream: 'DLOG_TEST', subject: 'test.rows.appended', onError: () => undefined });
      relay.hold(); // the publish below gets no answer
      heldLog.append('late', [{ id: 'late' }]);
      await heldLog.close(100); // gives up on it: closed with the publish in flight
      // The connection goes away under that publish: it fails at once, and so would every retry. A
      // log that retried after close would loop on microtasks for ever and this timer would never fire.
      await held.connection.close();
      await new Promise((r) => setTimeout(r, 200));
      expect(heldLog.backlog()).toBe(1);
    } finally {
      relay.release();
      await relay.stop();
    }
  });

  it('loses nothing in flight when the connection stalls past two heartbeats', async () => {
    const relay = await TcpRelay.start(TEST_NATS_URL);
    const stalled = await NatsBus.connect({ servers: `nats://127.0.0.1:${relay.port}`, subjectPrefix: prefix });
    try {
      const stalledLog = await createDurableLog<Row[]>(stalled, { stream: 'DLOG_TEST', subject: 'test.rows.appended' });
      const seen = new Set<string>();
      const consumer = await stalledLog.consume('ledger', async (batches) => void batches.flat().forEach((r) => seen.add(r.id)));
      consumers.push(consumer);
      const first = publish(0, 100);
      await waitFor(async () => (seen.size === 100 ? true : undefined), { timeoutMs: 15_000, what: 'the first 100' });

      // Records reach the consumer's side of the stall; heartbeats stop arriving for longer than two periods.
      relay.hold();
      const second = publish(100, 400);
      await new Promise((r) => setTimeout(r, 12_000));
      relay.release();

      // Far below the ack wait: a pull given up on client-side would only see them redelivered then.
      await waitFor(async () => (seen.size === 500 ? true : undefined), { timeoutMs: 8_000, what: 'all 500' });
      expect(seen).toEqual(new Set([...first, ...second]));
    } finally {
      for (const c of consumers.splice(0)) await c.stop();
      await stalled.drain().catch(() => undefined);
      await relay.stop();
    }
  }, 40_000);

  it('starts where a stopped consumer left off: records appended while it was away arrive', async () => {
    const seen = new Set<string>();
    const handler = async (batches: Row[][]): Promise<void> => void batches.flat().forEach((r) => seen.add(r.id));
    const firstConsumer = await log.consume('ledger', handler);
    const before = publish(0, 200);
    await waitFor(async () => (seen.size === 200 ? true : undefined), { timeoutMs: 15_000, what: 'the first 200' });
    await firstConsumer.stop();

    const during = publish(200, 300);
    consumers.push(await log.consume('ledger', handler));

    await waitFor(async () => (seen.size === 500 ? true : undefined), { timeoutMs: 15_000, what: 'all 500' });
    expect(seen).toEqual(new Set([...before, ...during]));
  });
});
