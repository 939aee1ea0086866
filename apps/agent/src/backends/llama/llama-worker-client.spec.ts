import { BusError } from '@iir/contracts';
import { LlamaWorkerClient, type EngineModule, type Inbound } from './llama-worker-client';

/** A scripted engine, as the agent's thread would run it: the client's side is what is under test. */
function fakeEngine(seen: string[] = []): EngineModule {
  return {
    serve(post: (m: Inbound) => void) {
      return (raw: unknown) => {
        const msg = raw as { type: string; id: number; runId: number; path?: string };
        seen.push(msg.type);
        switch (msg.type) {
          case 'load':
            post({ type: 'reply', id: msg.id, ok: true, info: { contextSize: 512 } });
            break;
          case 'chat':
            if (msg.path === 'slow') return; // never answers: a run still going
            post({ type: 'text', runId: msg.runId, text: 'Once' });
            post({ type: 'text', runId: msg.runId, text: ' upon' });
            post({ type: 'done', runId: msg.runId, finishReason: 'length', promptTokens: 5, completionTokens: 2, aborted: false });
            break;
          case 'embed':
            throw new Error('the engine broke');
          default:
            break; // 'close' and the rest: never answered
        }
      };
    },
  };
}

describe(LlamaWorkerClient.name, () => {
  const clients: LlamaWorkerClient[] = [];
  const make = (...args: ConstructorParameters<typeof LlamaWorkerClient>): LlamaWorkerClient => {
    const c = new LlamaWorkerClient(...args);
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });

  it("runs the engine on the agent's thread when it can be imported, events in order", async () => {
    const client = make({ importEngine: async () => fakeEngine(), closeTimeoutMs: 50 });
    expect(await client.where()).toBeUndefined();
    await expect(client.request({ type: 'load', path: 'm' })).resolves.toEqual({ contextSize: 512 });
    expect(await client.where()).toBe('agent-thread');
    const events = [];
    for await (const e of client.chat({ path: 'm', messages: [] }, new AbortController().signal)) events.push(e);
    expect(events).toEqual([
      { type: 'text', runId: expect.any(Number), text: 'Once' },
      { type: 'text', runId: expect.any(Number), text: ' upon' },
      { type: 'done', runId: expect.any(Number), finishReason: 'length', promptTokens: 5, completionTokens: 2, aborted: false },
    ]);
  });

  it('falls back to a worker thread when the engine cannot be imported natively, and honours thread: worker even when it can', async () => {
    const refused = make({ importEngine: () => Promise.reject(new TypeError('ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING')) });
    await expect(refused.request({ type: 'unload', path: '/nowhere.gguf' })).resolves.toEqual({});
    expect(await refused.where()).toBe('worker');
    const asked = make({ thread: 'worker', importEngine: async () => fakeEngine() });
    await expect(asked.request({ type: 'unload', path: '/nowhere.gguf' })).resolves.toEqual({});
    expect(await asked.where()).toBe('worker');
  });

  it('fails what is in flight on close, and does not wait longer than its limit for an engine that never lets go', async () => {
    const client = new LlamaWorkerClient({ importEngine: async () => fakeEngine(), closeTimeoutMs: 50 });
    await client.request({ type: 'load', path: 'm' });
    const run = client.chat({ path: 'slow', messages: [] }, new AbortController().signal);
    const next = run.next().then(
      () => 'answered',
      (error: unknown) => error,
    );
    await new Promise((r) => setImmediate(r));
    await client.close();
    expect(await next).toMatchObject({ code: 'upstream_unavailable', message: 'the llama engine was stopped' });
    expect(await client.where()).toBeUndefined();
  });

  it('fails only the message the engine threw on; the next one is served', async () => {
    const seen: string[] = [];
    const client = make({ importEngine: async () => fakeEngine(seen), closeTimeoutMs: 50 });
    const failed = await client.request({ type: 'embed', path: 'm', texts: ['x'] }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(BusError);
    expect(failed).toMatchObject({ code: 'upstream_unavailable', message: expect.stringMatching(/embed message: the engine broke/) });
    await expect(client.request({ type: 'load', path: 'm' })).resolves.toEqual({ contextSize: 512 });
    expect(seen).toEqual(['embed', 'load']);
  });
});
