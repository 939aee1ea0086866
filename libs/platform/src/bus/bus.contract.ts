import { BusError, type Bus } from '@iir/contracts';

/**
 * The semantics every `Bus` must have. Run against NATS and the in-process bus (see the two
 * `*.int-spec.ts` / `*.spec.ts` files), so embedded mode behaves like production.
 */
export function busContract(name: string, makeBus: () => Promise<Bus>, release: (bus: Bus) => Promise<void>): void {
  describe(`Bus contract: ${name}`, () => {
    let bus: Bus;

    beforeEach(async () => {
      bus = await makeBus();
    });
    afterEach(async () => {
      await release(bus);
    });

    it('answers a request with the handler’s reply', async () => {
      bus.handle('math.sum.compute', (p) => {
        const { a, b } = p as { a: number; b: number };
        return { sum: a + b };
      }, { queue: 'math' });
      await expect(bus.request('math.sum.compute', { a: 2, b: 3 })).resolves.toEqual({ sum: 5 });
    });

    it('streams N chunks, then completes', async () => {
      bus.handleStream('count.numbers.stream', async function* (p) {
        const { n } = p as { n: number };
        for (let i = 1; i <= n; i++) {
          await new Promise((r) => setTimeout(r, 1));
          yield { i };
        }
      }, { queue: 'count' });
      const got: unknown[] = [];
      for await (const chunk of bus.stream('count.numbers.stream', { n: 5 })) got.push(chunk);
      expect(got).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }, { i: 4 }, { i: 5 }]);
    });

    it('delivers an event to every subscribing service (fan-out), once per queue group', async () => {
      const seenByA: unknown[] = [];
      const seenByB: unknown[] = [];
      const seenByReplicas: unknown[] = [];
      bus.subscribe('things.item.created', (p) => void seenByA.push(p), { queue: 'service-a' });
      bus.subscribe('things.item.created', (p) => void seenByB.push(p), { queue: 'service-b' });
      // Two replicas of one service: the event goes to exactly one of them.
      bus.subscribe('things.item.created', (p) => void seenByReplicas.push(p), { queue: 'service-c' });
      bus.subscribe('things.item.created', (p) => void seenByReplicas.push(p), { queue: 'service-c' });
      await settle(bus);
      bus.publish('things.item.created', { id: 1 });
      await waitUntil(() => seenByA.length === 1 && seenByB.length === 1 && seenByReplicas.length === 1);
      await new Promise((r) => setTimeout(r, 50));
      expect(seenByA).toEqual([{ id: 1 }]);
      expect(seenByB).toEqual([{ id: 1 }]);
      expect(seenByReplicas).toEqual([{ id: 1 }]);
    });

    it('broadcasts to every replica when the subscription has no queue group', async () => {
      const seen: string[] = [];
      bus.subscribe('keys.key.revoked', () => void seen.push('replica-1'));
      bus.subscribe('keys.key.revoked', () => void seen.push('replica-2'));
      await settle(bus);
      bus.publish('keys.key.revoked', { id: 'k1' });
      await waitUntil(() => seen.length === 2);
      expect(seen.sort()).toEqual(['replica-1', 'replica-2']);
    });

    it('shares requests among replicas of a service (queue group)', async () => {
      const hits = { r1: 0, r2: 0 };
      bus.handle('work.job.run', () => (hits.r1++, 'r1'), { queue: 'worker' });
      bus.handle('work.job.run', () => (hits.r2++, 'r2'), { queue: 'worker' });
      await settle(bus);
      for (let i = 0; i < 40; i++) await bus.request('work.job.run', {});
      expect(hits.r1 + hits.r2).toBe(40);
      expect(hits.r1).toBeGreaterThan(0);
      expect(hits.r2).toBeGreaterThan(0);
    });

    it('fails fast with bus_no_responders when nobody handles the subject', async () => {
      await expect(bus.request('nobody.home.here', {}, { timeoutMs: 5_000 })).rejects.toMatchObject({
        name: 'BusError',
        code: 'bus_no_responders',
      });
    });

    it('times out with a clear bus_timeout error when the handler never answers', async () => {
      bus.handle('slow.thing.do', () => new Promise(() => undefined), { queue: 'slow' });
      await settle(bus);
      const started = Date.now();
      const error = await bus.request('slow.thing.do', {}, { timeoutMs: 200 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BusError);
      expect(error).toMatchObject({ code: 'bus_timeout' });
      expect((error as Error).message).toContain('slow.thing.do');
      expect(Date.now() - started).toBeLessThan(4_000);
    });

    it('times out a stream whose producer goes quiet', async () => {
      bus.handleStream('quiet.stream.run', async function* () {
        yield 1;
        await new Promise(() => undefined);
      }, { queue: 'quiet' });
      await settle(bus);
      const got: unknown[] = [];
      const run = async (): Promise<void> => {
        for await (const c of bus.stream('quiet.stream.run', {}, { timeoutMs: 200 })) got.push(c);
      };
      await expect(run()).rejects.toMatchObject({ code: 'bus_timeout' });
      expect(got).toEqual([1]);
    });

    it('delivers a handler’s typed error to the caller as a BusError with its code', async () => {
      bus.handle('models.model.get', () => {
        throw new BusError('model_not_found', 'no model named x', { suggestions: ['y'] });
      }, { queue: 'models' });
      await settle(bus);
      const error = await bus.request('models.model.get', {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BusError);
      expect(error).toMatchObject({ code: 'model_not_found', message: 'no model named x', details: { suggestions: ['y'] } });
    });

    it('delivers an error thrown mid-stream after the chunks sent so far', async () => {
      bus.handleStream('broken.stream.run', async function* () {
        yield 'a';
        throw new BusError('upstream_error', 'upstream went away');
      }, { queue: 'broken' });
      await settle(bus);
      const got: unknown[] = [];
      const run = async (): Promise<void> => {
        for await (const c of bus.stream('broken.stream.run', {})) got.push(c);
      };
      await expect(run()).rejects.toMatchObject({ code: 'upstream_error', message: 'upstream went away' });
      expect(got).toEqual(['a']);
    });

    it('tells the producer to stop when the consumer leaves a stream early', async () => {
      let stoppedEarly = false;
      let produced = 0;
      bus.handleStream('long.stream.run', async function* (_p, ctx) {
        try {
          for (let i = 0; i < 1_000 && !ctx.signal.aborted; i++) {
            await new Promise((r) => setTimeout(r, 2));
            produced++;
            yield i;
          }
        } finally {
          stoppedEarly = produced < 1_000;
        }
      }, { queue: 'long' });
      await settle(bus);
      for await (const c of bus.stream('long.stream.run', {})) {
        if (c === 3) break;
      }
      await waitUntil(() => stoppedEarly);
      expect(stoppedEarly).toBe(true);
    });

    it('copies payloads across the bus (no shared objects)', async () => {
      const sent = { list: [1, 2] };
      bus.handle('copy.value.echo', (p) => {
        (p as { list: number[] }).list.push(3);
        return p;
      }, { queue: 'copy' });
      await settle(bus);
      const reply = await bus.request<{ list: number[] }>('copy.value.echo', sent);
      expect(reply.list).toEqual([1, 2, 3]);
      expect(sent.list).toEqual([1, 2]);
    });
  });
}

/** NATS subscriptions reach the server asynchronously; a flush-like pause makes them effective. */
async function settle(bus: Bus): Promise<void> {
  const maybeNats = bus as unknown as { connection?: { flush(): Promise<void> } };
  if (maybeNats.connection) await maybeNats.connection.flush();
}

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
