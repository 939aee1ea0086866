import type { UsageRecord } from '@iir/contracts';

/** A plausible finished request's usage record, for ledger tests. */
export function usageRecord(requestId: string, overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    requestId,
    keyId: null,
    priority: 0,
    model: 'fake/echo',
    target: 'fake/echo',
    provider: 'fake',
    promptTokens: 3,
    completionTokens: 2,
    totalTokens: 5,
    latencyMs: 1.5,
    ttftMs: 1.2,
    status: 200,
    errorCode: null,
    cacheHit: false,
    stream: false,
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}
