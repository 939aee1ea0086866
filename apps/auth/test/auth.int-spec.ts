import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuthClient, BusError, STREAMS, SUBJECTS, type KeyRevokedEvent, type UsageRecord } from '@iir/contracts';
import { createDurableLog, destroyDurableLog, NatsBus, startService, type DurableLog, type RunningService } from '@iir/platform';
import { PostgresSchema, requireService, TEST_NATS_URL, TEST_POSTGRES_URL, uniquePrefix, waitFor } from '@iir/testing';
import { Database } from 'sqlite3';
import { authService } from '../src/auth.service-definition';
import { usageRecord as record } from './usage-record.fixture';
import { hashSecret } from '../src/keys/key-secret';

interface Backend {
  env(): Promise<Record<string, string>>;
  /** Every row of a table, as text, to look for secrets. */
  dump(): Promise<string>;
  count(): Promise<number>;
  /** The ledger rows a client tagged with one `x-request-id`, by request id. */
  byClientId(clientRequestId: string): Promise<Array<{ request_id: string; client_request_id: string; key_id: string | null; total_tokens: number }>>;
  /** The ledger's `route_pin` of one request. */
  routePin(requestId: string): Promise<string | null | undefined>;
  tearDown(): Promise<void>;
}

const sqlite = (): Backend => {
  let dir = '';
  return {
    env: async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'auth-'));
      return { IIR_DATA_DIR: dir };
    },
    // the database and its write-ahead log (recent commits live there until a checkpoint)
    dump: async () =>
      (await Promise.all(['auth.sqlite', 'auth.sqlite-wal'].map((f) => readFile(path.join(dir, f)).catch(() => Buffer.alloc(0))))).map((b) => b.toString('latin1')).join('\n'),
    count: () =>
      new Promise<number>((resolve, reject) => {
        const db = new Database(path.join(dir, 'auth.sqlite'));
        db.get('SELECT COUNT(*) AS n FROM usage_records', (error, row: { n: number } | undefined) => {
          db.close();
          if (error) reject(error);
          else resolve(row?.n ?? 0);
        });
      }),
    byClientId: (clientRequestId) =>
      new Promise((resolve, reject) => {
        const db = new Database(path.join(dir, 'auth.sqlite'));
        const sql = 'SELECT request_id, client_request_id, key_id, total_tokens FROM usage_records WHERE client_request_id = ? ORDER BY request_id';
        db.all(sql, [clientRequestId], (error, rows: Array<{ request_id: string; client_request_id: string; key_id: string | null; total_tokens: number }>) => {
          db.close();
          if (error) reject(error);
          else resolve(rows);
        });
      }),
    routePin: (requestId) =>
      new Promise((resolve, reject) => {
        const db = new Database(path.join(dir, 'auth.sqlite'));
        db.get('SELECT route_pin FROM usage_records WHERE request_id = ?', [requestId], (error, row: { route_pin: string | null } | undefined) => {
          db.close();
          if (error) reject(error);
          else resolve(row?.route_pin);
        });
      }),
    tearDown: () => rm(dir, { recursive: true, force: true }),
  };
};

const postgres = (): Backend => {
  const schema = new PostgresSchema(TEST_POSTGRES_URL);
  return {
    env: async () => {
      await requireService('PostgreSQL', TEST_POSTGRES_URL);
      await schema.create();
      return { DATABASE_URL: schema.url };
    },
    dump: async () => {
      const keys = await schema.query('SELECT * FROM api_keys');
      const usage = await schema.query('SELECT * FROM usage_records');
      return JSON.stringify([keys, usage]);
    },
    count: async () => Number((await schema.query<{ n: string }>('SELECT COUNT(*) AS n FROM usage_records'))[0]?.n ?? 0),
    byClientId: async (clientRequestId) =>
      (
        await schema.query<{ request_id: string; client_request_id: string; key_id: string | null; total_tokens: number }>(
          'SELECT request_id, client_request_id, key_id, total_tokens FROM usage_records WHERE client_request_id = $1 ORDER BY request_id',
          [clientRequestId],
        )
      ).map((r) => ({ ...r, total_tokens: Number(r.total_tokens) })),
    routePin: async (requestId) => (await schema.query<{ route_pin: string | null }>('SELECT route_pin FROM usage_records WHERE request_id = $1', [requestId]))[0]?.route_pin,
    tearDown: () => schema.drop(),
  };
};


describe.each([
  ['SQLite', sqlite],
  ['Postgres', postgres],
])('auth service on %s over real NATS', (name, makeBackend) => {
  const backend = makeBackend();
  const prefix = uniquePrefix('auth');
  let env: Record<string, string>;
  let auth: RunningService | undefined;
  let bus: NatsBus;
  let client: AuthClient;
  let log: DurableLog<UsageRecord[]>;
  const revoked: KeyRevokedEvent[] = [];

  const start = async (): Promise<void> => {
    auth = await startService(authService, env);
  };
  const stats = () => client.stats({ groupBy: [] }).then((r) => r.rows[0]?.requests ?? 0);

  beforeAll(async () => {
    await requireService('NATS', TEST_NATS_URL);
    env = {
      NATS_URL: TEST_NATS_URL,
      NATS_SUBJECT_PREFIX: prefix,
      AUTH_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      ...(await backend.env()),
    };
    bus = await NatsBus.connect({ servers: TEST_NATS_URL, subjectPrefix: prefix });
    client = new AuthClient(bus, 5_000);
    client.onKeyRevoked((e) => revoked.push(e));
    log = await createDurableLog<UsageRecord[]>(bus, { stream: STREAMS.usage, subject: SUBJECTS.auth.usageRecorded });
    await start();
  });

  afterAll(async () => {
    await auth?.close();
    await destroyDurableLog(log);
    await bus?.drain();
    await backend.tearDown();
  });

  it('issues a key whose secret is shown once, is long and random, and verifies by its hash', async () => {
    const created = await client.createKey({ description: 'ci', priority: 3, rpm: 60, allowedModels: ['local/*'] });
    expect(created.secret).toMatch(/^iir-[A-Za-z0-9_-]{43}$/);
    expect(created.key).toMatchObject({ description: 'ci', priority: 3, rpm: 60, tpm: null, role: 'user', allowedModels: ['local/*'] });
    expect(created.secret.startsWith(created.key.displayPrefix)).toBe(true);
    expect(JSON.stringify(created.key)).not.toContain(created.secret);

    const verified = await client.verifyKey(hashSecret(created.secret));
    expect(verified).toMatchObject({ usable: true, key: { id: created.key.id } });
    expect(await client.verifyKey(hashSecret(created.secret + 'x'))).toEqual({ usable: false, reason: 'unknown' });
  });

  it('refuses a bad registration with the field named', async () => {
    await expect(client.createKey({ rpm: -1 })).rejects.toMatchObject({ code: 'invalid_request_error', details: { param: 'rpm' } });
    await expect(client.createKey({ role: 'root' as never })).rejects.toBeInstanceOf(BusError);
    await expect(client.createKey({ expiresAt: '2000-01-01T00:00:00Z' })).rejects.toMatchObject({ details: { param: 'expires_at' } });
  });

  it('revokes a key, broadcasts it, and lists without secrets', async () => {
    const { key, secret } = await client.createKey({ description: 'to revoke' });
    await client.revokeKey(key.id);
    await waitFor(() => revoked.some((e) => e.id === key.id && e.hash === hashSecret(secret)));
    expect(await client.verifyKey(hashSecret(secret))).toMatchObject({ usable: false, reason: 'revoked' });
    const active = await client.listKeys();
    expect(active.some((k) => k.id === key.id)).toBe(false);
    const all = await client.listKeys({ includeRevoked: true });
    expect(all.find((k) => k.id === key.id)?.revokedAt).toEqual(expect.any(String));
    expect(JSON.stringify(all)).not.toContain(secret);
    await expect(client.revokeKey('no-such-key')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('treats an expired key as unusable', async () => {
    const { key, secret } = await client.createKey({ expiresAt: new Date(Date.now() + 2_000).toISOString() });
    await waitFor(async () => (await client.verifyKey(hashSecret(secret))).reason === 'expired', { timeoutMs: 15_000 });
    expect((await client.verifyKey(hashSecret(secret))).key?.id).toBe(key.id);
  });

  it('never stores a secret: the database holds only hashes and prefixes', async () => {
    const secrets = await Promise.all([1, 2, 3].map(() => client.createKey({}).then((c) => c.secret)));
    const dump = await backend.dump();
    for (const s of secrets) {
      expect(dump).not.toContain(s);
      expect(dump).not.toContain(s.slice(12));
    }
    expect(dump).toContain(hashSecret(secrets[0] ?? ''));
  });

  it('writes each usage record once, catching up on what arrived while auth was down', async () => {
    const before = await stats();
    log.append('dup-1', [record('dup-1')]);
    log.append('dup-1', [record('dup-1')]);
    await waitFor(async () => (await stats()) === before + 1);

    await auth?.close();
    auth = undefined;
    const ids = Array.from({ length: 200 }, (_, i) => `${prefix}-down-${i}`);
    for (const id of ids) log.append(id, [record(id, { keyId: 'k1', totalTokens: 10 })]);
    // Some twice, as a gateway retrying after a lost ack would.
    for (const id of ids.slice(0, 20)) log.append(id, [record(id, { keyId: 'k1', totalTokens: 10 })]);
    await waitFor(() => log.backlog() === 0);
    await start();
    await waitFor(async () => (await stats()) === before + 201, { timeoutMs: 15_000 });
    const byKey = await client.stats({ groupBy: ['key'] });
    expect(byKey.rows.find((r) => r.keyId === 'k1')).toMatchObject({ requests: 200, totalTokens: 2_000 });
    expect(await backend.count()).toBe(before + 201);
  });

  it('keeps the request\'s x-iir-route pin in the ledger', async () => {
    const before = await stats();
    const id = `${prefix}-pinned`;
    log.append(id, [record(id, { routePin: 'local-only', target: 'ollama/llama3.2', provider: 'ollama' })]);
    await waitFor(async () => (await stats()) === before + 1);
    expect(await backend.routePin(id)).toBe('local-only');
  });

  it('aggregates stats by key, model and target over a window', async () => {
    const t0 = '2026-01-01T00:00:00.000Z';
    for (let i = 0; i < 5; i++) {
      const id = `${prefix}-stats-${i}`;
      log.append(id, [record(id, { keyId: 'k-stats', model: i < 3 ? 'a/m' : 'b/m', target: 'x/t', status: i === 4 ? 502 : 200, cacheHit: i === 0, createdAt: t0 })]);
    }
    const window = { since: '2025-12-31T00:00:00Z', until: '2026-01-02T00:00:00Z' };
    await waitFor(async () => (await client.stats({ ...window, groupBy: [] })).rows[0]?.requests === 5);
    const byModel = await client.stats({ ...window, groupBy: ['key', 'model'] });
    expect(byModel.rows).toEqual([
      expect.objectContaining({ keyId: 'k-stats', model: 'a/m', requests: 3, errors: 0, cacheHits: 1, totalTokens: 15 }),
      expect.objectContaining({ keyId: 'k-stats', model: 'b/m', requests: 2, errors: 1, cacheHits: 0 }),
    ]);
    await expect(client.stats({ since: 'yesterday' })).rejects.toMatchObject({ details: { param: 'since' } });
  });

  it("keeps the client's request id beside the gateway's: never a key, so requests sharing one are each recorded", async () => {
    const clientId = `${prefix}-client-id`;
    // A window of its own, apart from the other stats tests'.
    const window = { since: '2026-02-01T00:00:00Z', until: '2026-02-02T00:00:00Z' };
    const t0 = '2026-02-01T12:00:00.000Z';
    // Five requests the client sent with one x-request-id: the gateway gave each its own id.
    const ids = Array.from({ length: 5 }, (_, i) => `${prefix}-gw-${i}`);
    for (const id of ids) log.append(id, [record(id, { keyId: 'k-client', clientRequestId: clientId, createdAt: t0 })]);
    await waitFor(async () => (await backend.byClientId(clientId)).length === 5, { timeoutMs: 15_000 });
    const rows = await backend.byClientId(clientId);
    expect(rows.map((r) => r.request_id)).toEqual([...ids].sort());
    expect(new Set(rows.map((r) => r.client_request_id))).toEqual(new Set([clientId]));

    // Another key sending the victim's id as its own x-request-id leaves the victim's row as it was.
    const victimId = `${prefix}-victim`;
    log.append(victimId, [record(victimId, { keyId: 'k-victim', totalTokens: 7, createdAt: t0 })]);
    await waitFor(async () => (await client.stats({ ...window, clientRequestId: clientId, groupBy: [] })).rows[0]?.requests === 5);
    const attackId = `${prefix}-attack`;
    log.append(attackId, [record(attackId, { keyId: 'k-attacker', clientRequestId: victimId, totalTokens: 1_000, createdAt: t0 })]);
    await waitFor(async () => (await backend.byClientId(victimId)).length === 1, { timeoutMs: 15_000 });
    expect(await backend.byClientId(victimId)).toEqual([{ request_id: attackId, client_request_id: victimId, key_id: 'k-attacker', total_tokens: 1_000 }]);
    const byKey = await client.stats({ ...window, groupBy: ['key'] });
    expect(byKey.rows.find((r) => r.keyId === 'k-victim')).toMatchObject({ requests: 1, totalTokens: 7 });
    expect(byKey.rows.find((r) => r.keyId === 'k-attacker')).toMatchObject({ requests: 1, totalTokens: 1_000 });

    // Searchable: the stats filter by client request id.
    const tagged = await client.stats({ ...window, clientRequestId: clientId, groupBy: ['key'] });
    expect(tagged.rows).toEqual([expect.objectContaining({ keyId: 'k-client', requests: 5, totalTokens: 25 })]);
  });
});
