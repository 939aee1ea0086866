import { BusError } from '@iir/contracts';
import { Scheduler } from './scheduler';

describe(Scheduler.name, () => {
  const live = (): AbortSignal => new AbortController().signal;

  it('runs up to `parallel` at once and queues the rest in order', async () => {
    const s = new Scheduler({ parallel: 2, queueMax: 5 });
    const a = await s.acquire(live());
    const b = await s.acquire(live());
    expect(s.inFlight).toBe(2);
    const order: string[] = [];
    const c = s.acquire(live()).then((release) => (order.push('c'), release));
    const d = s.acquire(live()).then((release) => (order.push('d'), release));
    expect(s.queueLength).toBe(2);
    a();
    (await c)();
    b();
    (await d)();
    expect(order).toEqual(['c', 'd']);
    expect(s.inFlight).toBe(0);
    expect(s.queueLength).toBe(0);
  });

  it('refuses one more than the queue holds with rate_limit_exceeded and a retry hint', async () => {
    const s = new Scheduler({ parallel: 1, queueMax: 1 });
    await s.acquire(live());
    s.acquire(live()).catch(() => undefined);
    const refused = await s.acquire(live()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BusError);
    expect((refused as BusError).code).toBe('rate_limit_exceeded');
    expect((refused as BusError).details?.['retryAfterMs']).toBeGreaterThanOrEqual(1000);
  });

  it('drops a waiter whose caller went away, so the slot goes to the next one', async () => {
    const s = new Scheduler({ parallel: 1, queueMax: 3 });
    const first = await s.acquire(live());
    const gone = new AbortController();
    const leaving = s.acquire(gone.signal).catch((e: unknown) => e);
    const staying = s.acquire(live());
    gone.abort();
    expect(await leaving).toBeInstanceOf(BusError);
    expect(s.queueLength).toBe(1);
    first();
    (await staying)();
    expect(s.inFlight).toBe(0);
  });

  it('counts a release once, however often it is called', async () => {
    const s = new Scheduler({ parallel: 1, queueMax: 0 });
    const release = await s.acquire(live());
    release();
    release();
    expect(s.inFlight).toBe(0);
    expect(s.freeSlots).toBe(1);
    await s.acquire(live());
    expect(s.inFlight).toBe(1);
  });
});
