import { SUBJECTS, type UsageGetRequest, type UsageRecord } from '@iir/contracts';
import { GatewayHarness } from './gateway-harness';

const ADMIN = 'iir-admin-openrouter-int-spec-0123456789';
const STATIC = 'static-openrouter-key';

/** OpenRouter's account routes over a scripted ledger (auth's `auth.usage.get` on the real NATS). */
describe('gateway /api/v1/generation scoping', () => {
  const h = new GatewayHarness();
  const asked: UsageGetRequest[] = [];
  const record = (requestId: string): UsageRecord => ({
    requestId,
    keyId: null,
    priority: 0,
    model: 'fake/echo',
    target: 'fake/echo',
    provider: 'fake',
    promptTokens: 3,
    completionTokens: 4,
    totalTokens: 7,
    latencyMs: 5,
    ttftMs: 2,
    status: 200,
    errorCode: null,
    cacheHit: false,
    stream: false,
    policy: 'direct',
    createdAt: new Date().toISOString(),
  });

  beforeAll(async () => {
    await h.start({ IIR_ADMIN_KEY: ADMIN, GATEWAY_API_KEYS: STATIC });
    // A ledger that would answer any key-less record: the gateway must not ask it for a static key.
    h.bus.handle(SUBJECTS.auth.getUsage, (payload) => {
      asked.push(payload as UsageGetRequest);
      return record((payload as UsageGetRequest).requestId);
    });
  });
  afterAll(() => h.stop());

  const generation = (key: string) => fetch(`${h.baseUrl}/api/v1/generation?id=req-1`, { headers: { authorization: `Bearer ${key}` } });

  it('refuses a static key (static and anonymous calls share one key-less ledger scope), and serves an admin key', async () => {
    const refused = await generation(STATIC);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { type: string } }).error.type).toBe('permission_error');
    expect(asked).toEqual([]);
    const allowed = await generation(ADMIN);
    expect(allowed.status).toBe(200);
    expect(((await allowed.json()) as { data: { id: string; total_tokens: number } }).data).toMatchObject({ id: 'req-1', total_tokens: 7 });
    expect(asked).toEqual([{ requestId: 'req-1', keyId: null, any: true }]);
  });
});
