import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { FakeOpenAIServer, requireService, ServiceProcesses, TEST_NATS_URL, waitFor, type ServiceProcess } from '@iir/testing';
import OpenAI from 'openai';
import { Database } from 'sqlite3';
import { E2eWorkspace, expectCleanExit, startSeparately } from './support/e2e-stack';

const STREAMS = 20;
const PROMPT = 'please answer slowly in ten words or so';

/**
 * SIGTERM while streams are open: every stream finishes, the process exits 0, and every request's
 * usage row is in the SQLite ledger (in one process, auth used to close its database while the
 * gateway was still streaming: 0 of 20 rows).
 */
describe('SIGTERM with open streams', () => {
  const procs = new ServiceProcesses();
  const upstream = new FakeOpenAIServer();
  let ws: E2eWorkspace;

  beforeAll(async () => {
    await upstream.start();
    // Slow enough that SIGTERM lands mid-stream on every one of them.
    upstream.chunkDelayMs = 150;
  });

  beforeEach(() => {
    ws = new E2eWorkspace('drain');
    writeFileSync(
      ws.seedFile,
      ['models:', `  - { name: vllm/slow, provider: vllm, kind: vllm, protocol: openai, upstream_model: slow-7b, base_url: "${upstream.baseUrl}" }`, ''].join('\n'),
    );
  });

  afterEach(async () => {
    await procs.killAll();
    ws?.dispose();
  });

  afterAll(() => upstream.close());

  it('npm start (one process): the streams finish, it exits 0 and all rows are in the ledger', async () => {
    const iir = procs.spawn('all-in-one', { env: ws.embeddedEnv() });
    const port = await iir.waitForReady('gateway', { timeoutMs: 30_000 });

    const { texts, status } = await streamThroughSigterm(port, () => iir.stop(30_000));

    expect(texts.every((t) => t === `You said: ${PROMPT}`)).toBe(true);
    expectCleanExit(iir, status);
    expect(await countRows(ws)).toBe(STREAMS);
    // The gateway stopped before auth, which closed its database last.
    const stopped = iir.logs.filter((l) => typeof l.msg === 'string' && l.msg.endsWith(' stopped')).map((l) => l.msg);
    expect(stopped[0]).toBe('gateway stopped');
    expect(stopped.indexOf('gateway stopped')).toBeLessThan(stopped.indexOf('auth stopped'));
  }, 90_000);

  it('separate services over NATS: SIGTERM to the gateway and auth together loses no row', async () => {
    await requireService('NATS', TEST_NATS_URL);
    const stack = await startSeparately(procs, ws);

    // Both at once, as an orchestrator stopping the stack would: the gateway's records wait in
    // JetStream for the next auth if this one is gone before they arrive.
    const { texts, status } = await streamThroughSigterm(stack.gateway.port, async () => {
      const [gateway, auth] = await Promise.all([stack.gateway.process.stop(30_000), stack.auth.process.stop(30_000)]);
      expectCleanExit(stack.auth.process, auth);
      return gateway;
    });

    expect(texts.every((t) => t === `You said: ${PROMPT}`)).toBe(true);
    expectCleanExit(stack.gateway.process, status);
    const auth: ServiceProcess = procs.spawn('auth', { env: ws.natsEnv(), label: 'auth (restarted)' });
    await auth.waitForReady('auth');
    await waitFor(async () => ((await countRows(ws)) === STREAMS ? true : undefined), { timeoutMs: 15_000, what: `${STREAMS} ledger rows` });
  }, 120_000);

  it('closes streams still open after SHUTDOWN_GRACE_MS, exits 0 and still writes their rows', async () => {
    upstream.chunkDelayMs = 60_000;
    try {
      const iir = procs.spawn('all-in-one', { env: ws.embeddedEnv({ SHUTDOWN_GRACE_MS: '300' }) });
      const port = await iir.waitForReady('gateway', { timeoutMs: 30_000 });
      const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'unused', maxRetries: 0 });
      const streams = await Promise.all(
        Array.from({ length: 3 }, () => client.chat.completions.create({ model: 'vllm/slow', stream: true, messages: [{ role: 'user', content: PROMPT }] })),
      );
      const reads = streams.map(async (stream) => {
        try {
          for await (const chunk of stream) void chunk;
          return 'ended';
        } catch {
          return 'cut';
        }
      });

      const status = await iir.stop(30_000);

      expectCleanExit(iir, status);
      expect(await Promise.all(reads)).toEqual(['cut', 'cut', 'cut']);
      expect(iir.logs.some((l) => typeof l.msg === 'string' && l.msg.startsWith('shutdown grace over (SHUTDOWN_GRACE_MS=300): closed 3'))).toBe(true);
      expect(await countRows(ws)).toBe(3);
    } finally {
      upstream.chunkDelayMs = 150;
    }
  }, 90_000);

  /** Opens the streams, waits until each has its first chunk, then runs `stop` and reads them to their end. */
  async function streamThroughSigterm<S>(port: number, stop: () => Promise<S>): Promise<{ texts: string[]; status: S }> {
    const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'unused', maxRetries: 0 });
    const streams = await Promise.all(
      Array.from({ length: STREAMS }, () => client.chat.completions.create({ model: 'vllm/slow', stream: true, messages: [{ role: 'user', content: PROMPT }] })),
    );
    let started = 0;
    let signal: Promise<S> | undefined;
    const texts = await Promise.all(
      streams.map(async (stream) => {
        let text = '';
        let first = true;
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta.content ?? '';
          if (first) {
            first = false;
            if (++started === STREAMS) signal = stop();
          }
        }
        return text;
      }),
    );
    if (!signal) throw new Error('the streams ended before all of them had started');
    return { texts, status: await signal };
  }
});

function countRows(ws: E2eWorkspace): Promise<number> {
  return new Promise((resolve, reject) => {
    const db = new Database(path.join(ws.dataDir, 'auth.sqlite'));
    db.get('SELECT COUNT(*) AS n FROM usage_records', (error, row: { n: number } | undefined) => {
      db.close();
      if (error) reject(error);
      else resolve(row?.n ?? 0);
    });
  });
}
