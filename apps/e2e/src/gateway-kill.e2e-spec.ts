import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { FakeOpenAIServer, requireService, ServiceProcesses, TEST_NATS_URL, waitFor } from '@iir/testing';
import { Database } from 'sqlite3';
import { E2eWorkspace, startOverNats, startSeparately, type Started } from './support/e2e-stack';

const ROUNDS = 4;
const CLIENTS = 16;
/** What the README promises: an answer completed this long before a kill -9 has its ledger row. */
const PROMISED_MS = 1_000;

interface Answered {
  id: string;
  at: number;
}

/**
 * kill -9 of a gateway under load: which completed answers lost their usage row, and how long
 * before the kill they had completed. The records of the last few ms wait in the gateway's usage
 * batch (and its JetStream publish) and die with it; this measures that window.
 */
describe('kill -9 of a gateway under load', () => {
  const procs = new ServiceProcesses();
  const upstream = new FakeOpenAIServer();
  let ws: E2eWorkspace;

  beforeAll(async () => {
    await requireService('NATS', TEST_NATS_URL);
    await upstream.start();
    ws = new E2eWorkspace('kill');
    writeFileSync(ws.seedFile, ['models:', `  - { name: vllm/fast, provider: vllm, kind: vllm, protocol: openai, upstream_model: fast-7b, base_url: "${upstream.baseUrl}" }`, ''].join('\n'));
  });

  afterAll(async () => {
    await procs.killAll();
    await upstream.close();
    ws?.dispose();
  });

  it(`loses only the rows of answers completed within ${PROMISED_MS} ms of the kill (and says how many ms)`, async () => {
    const stack = await startSeparately(procs, ws, ['router', 'registry', 'auth']);
    const windows: number[] = [];
    let lostTotal = 0;
    let answeredTotal = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const gateway = await startOverNats(procs, ws, 'gateway');
      const { answered, killedAt } = await loadThenKill(gateway, 1_000 + 250 * round);
      // What reached JetStream is written by auth within moments; give it a generous while.
      const ids = answered.map((a) => a.id);
      await waitFor(async () => ((await presentIds(ws, ids)).size > 0 ? true : undefined), { what: 'ledger rows', timeoutMs: 15_000 });
      await new Promise((r) => setTimeout(r, 2_000));
      const present = await presentIds(ws, ids);
      const lost = answered.filter((a) => !present.has(a.id));
      lostTotal += lost.length;
      answeredTotal += answered.length;
      windows.push(lost.length ? killedAt - Math.min(...lost.map((a) => a.at)) : 0);
    }
    process.stdout.write(
      `kill -9 of a gateway: ${lostTotal} of ${answeredTotal} completed answers lost their row over ${ROUNDS} kills; ` +
        `lost answers had completed at most ${windows.map((w) => w.toFixed(1)).join(' / ')} ms before the kill\n`,
    );
    expect(Math.max(...windows)).toBeLessThan(PROMISED_MS);
    expect(stack.auth.process.running).toBe(true);
  }, 120_000);
});

/** Keeps CLIENTS requests in flight for `ms`, then SIGKILLs the gateway; returns the answers completed before the kill. */
async function loadThenKill(gateway: Started, ms: number): Promise<{ answered: Answered[]; killedAt: number }> {
  const answered: Answered[] = [];
  let killedAt = Number.POSITIVE_INFINITY;
  const url = `http://127.0.0.1:${gateway.port}/v1/chat/completions`;
  const body = JSON.stringify({ model: 'vllm/fast', messages: [{ role: 'user', content: 'count me' }] });
  const client = async (): Promise<void> => {
    while (killedAt === Number.POSITIVE_INFINITY) {
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await res.text();
        const at = performance.now();
        const id = res.headers.get('x-request-id');
        if (res.status === 200 && id && at < killedAt) answered.push({ id, at });
      } catch {
        // The gateway is gone.
      }
    }
  };
  const clients = Array.from({ length: CLIENTS }, client);
  await new Promise((r) => setTimeout(r, ms));
  killedAt = performance.now();
  await gateway.process.kill();
  await Promise.all(clients);
  return { answered, killedAt };
}

function presentIds(ws: E2eWorkspace, ids: string[]): Promise<Set<string>> {
  return new Promise((resolve, reject) => {
    const db = new Database(path.join(ws.dataDir, 'auth.sqlite'));
    db.all('SELECT request_id FROM usage_records', (error, rows: Array<{ request_id: string }> | undefined) => {
      db.close();
      if (error) reject(error);
      else {
        const all = new Set((rows ?? []).map((r) => r.request_id));
        resolve(new Set(ids.filter((id) => all.has(id))));
      }
    });
  });
}
