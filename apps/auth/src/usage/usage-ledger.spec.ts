import type { UsageRecord } from '@iir/contracts';
import { register } from 'prom-client';
import type { DataSource } from 'typeorm';
import { UsageLedger } from './usage-ledger';

const failures = async (): Promise<number> => (await register.getSingleMetric('iir_auth_ledger_write_failures_total')?.get())?.values[0]?.value ?? 0;

describe(UsageLedger.name, () => {
  it('counts a batch the database refuses, and still fails it so the batch is redelivered', async () => {
    const broken = { query: () => Promise.reject(new Error('SQLITE_FULL')) } as unknown as DataSource;
    const ledger = new UsageLedger(broken);
    const before = await failures();
    const record = { requestId: 'r1', model: 'm', status: 200, createdAt: '2026-01-01T00:00:00Z', promptTokens: 1, completionTokens: 1, totalTokens: 2, latencyMs: 1 };
    await expect(ledger.write([record as UsageRecord])).rejects.toThrow('SQLITE_FULL');
    expect(await failures()).toBe(before + 1);
  });
});
