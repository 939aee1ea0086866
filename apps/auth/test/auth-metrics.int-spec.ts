import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuthClient, STREAMS, SUBJECTS, type UsageRecord } from '@iir/contracts';
import { createDurableLog, destroyDurableLog, NatsBus, startService, type DurableLog, type RunningService } from '@iir/platform';
import { requireService, scrapeMetrics, TEST_NATS_URL, uniquePrefix, waitFor, type MetricsSnapshot } from '@iir/testing';
import { authService } from '../src/auth.service-definition';
import { hashSecret } from '../src/keys/key-secret';
import { usageRecord as record } from './usage-record.fixture';

describe('auth metrics over real NATS, on SQLite', () => {
  const prefix = uniquePrefix('authm');
  let dir: string;
  let auth: RunningService;
  let bus: NatsBus;
  let client: AuthClient;
  let log: DurableLog<UsageRecord[]>;
  const scrape = (): Promise<MetricsSnapshot> => scrapeMetrics(auth.port);

  beforeAll(async () => {
    await requireService('NATS', TEST_NATS_URL);
    dir = await mkdtemp(path.join(tmpdir(), 'auth-metrics-'));
    bus = await NatsBus.connect({ servers: TEST_NATS_URL, subjectPrefix: prefix });
    client = new AuthClient(bus, 5_000);
    log = await createDurableLog<UsageRecord[]>(bus, { stream: STREAMS.usage, subject: SUBJECTS.auth.usageRecorded });
    auth = await startService(authService, {
      NATS_URL: TEST_NATS_URL,
      NATS_SUBJECT_PREFIX: prefix,
      AUTH_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      IIR_DATA_DIR: dir,
    });
  });

  afterAll(async () => {
    await auth?.close();
    await destroyDurableLog(log);
    await bus?.drain();
    await rm(dir, { recursive: true, force: true });
  });

  it('counts key operations by outcome, verify by why a key is or is not usable', async () => {
    const before = await scrape();
    const { key, secret } = await client.createKey({ description: 'metrics' });
    await client.createKey({ rpm: -1 }).catch(() => undefined);
    await client.verifyKey(hashSecret(secret));
    await client.verifyKey(hashSecret(`${secret}x`));
    await client.listKeys();
    await client.revokeKey(key.id);
    await client.verifyKey(hashSecret(secret));
    const after = await scrape();
    const moved = (operation: string, outcome: string): number =>
      after.value('iir_auth_key_operations_total', { operation, outcome }) - before.value('iir_auth_key_operations_total', { operation, outcome });

    expect(moved('create', 'ok')).toBe(1);
    expect(moved('create', 'invalid')).toBe(1);
    expect(moved('verify', 'usable')).toBe(1);
    expect(moved('verify', 'unknown')).toBe(1);
    expect(moved('verify', 'revoked')).toBe(1);
    expect(moved('list', 'ok')).toBe(1);
    expect(moved('revoke', 'ok')).toBe(1);
    expect(moved('verify', 'expired')).toBe(0);
  });

  it('counts the usage records the ledger writes, and times and sizes each batch', async () => {
    const before = await scrape();
    const ids = Array.from({ length: 3 }, (_, i) => `${prefix}-m-${i}`);
    for (const id of ids) log.append(id, [record(id)]);
    await waitFor(async () => (await scrape()).value('iir_auth_usage_records_written_total') - before.value('iir_auth_usage_records_written_total') === 3, {
      timeoutMs: 10_000,
      what: 'three usage records counted as written',
    });
    const after = await scrape();
    const batches = after.value('iir_auth_ledger_write_duration_seconds_count') - before.value('iir_auth_ledger_write_duration_seconds_count');
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(after.value('iir_auth_ledger_batch_size_sum') - before.value('iir_auth_ledger_batch_size_sum')).toBe(3);
    expect(after.value('iir_auth_ledger_write_failures_total')).toBe(0);
  });
});
