import { randomBytes } from 'node:crypto';
import { STREAMS, SUBJECTS, type UsageRecord } from '@iir/contracts';
import { createDurableLog, destroyDurableLog, type DurableConsumer, type DurableLog } from '@iir/platform';
import { FakeOpenAIServer, waitFor } from '@iir/testing';
import { GatewayHarness, target } from './gateway-harness';
import { ScriptedAuth } from './scripted-auth';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The ledger's key is the gateway's own request id: a client's `x-request-id` is only carried along
 * (as client_request_id), so it can neither merge a client's requests nor touch another key's.
 */
describe('gateway request ids (real NATS, scripted router and auth, fake upstream)', () => {
  const h = new GatewayHarness();
  const upstream = new FakeOpenAIServer();
  let auth: ScriptedAuth;
  let log: DurableLog<UsageRecord[]>;
  let consumer: DurableConsumer;
  const records: UsageRecord[] = [];
  const run = randomBytes(4).toString('hex');
  let victim = '';
  let attacker = '';

  const chat = (secret: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}): Promise<Response> =>
    fetch(`${h.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}`, ...headers },
      body: JSON.stringify({ model: 'fake/echo', messages: [{ role: 'user', content: 'hi' }], ...extra }),
    });
  const recordsFor = (ids: string[]): Promise<UsageRecord[]> =>
    waitFor(() => {
      const found = records.filter((r) => ids.includes(r.requestId));
      return found.length === ids.length ? found : undefined;
    }).then((r) => r ?? []);

  beforeAll(async () => {
    await upstream.start();
    await h.start({ GATEWAY_AUTH: 'required', CACHE_TTL: '0' });
    h.routes.set('fake/echo', [target('fake/echo', upstream.baseUrl)]);
    auth = await new ScriptedAuth(h.bus).start();
    victim = auth.add(`victim-${run}`);
    attacker = auth.add(`attacker-${run}`);
    log = await createDurableLog<UsageRecord[]>(h.bus, { stream: STREAMS.usage, subject: SUBJECTS.auth.usageRecorded });
    consumer = await log.consume(`request_id_test_${run}`, async (batch) => {
      records.push(...batch.flat());
    });
  });

  afterAll(async () => {
    await consumer?.stop();
    await destroyDurableLog(log);
    await auth?.stop();
    await h.stop();
    await upstream.close();
  });

  it('gives five requests with one client id five distinct request ids, each keeping the client id', async () => {
    const clientId = `client-${run}`;
    const responses = await Promise.all(Array.from({ length: 5 }, () => chat(victim, { 'x-request-id': clientId })));
    for (const r of responses) {
      expect(r.status).toBe(200);
      expect(r.headers.get('x-request-id')).toMatch(UUID);
      expect(r.headers.get('x-client-request-id')).toBe(clientId);
    }
    const ids = responses.map((r) => r.headers.get('x-request-id') ?? '');
    expect(new Set(ids).size).toBe(5);
    const found = await recordsFor(ids);
    expect(found).toHaveLength(5);
    for (const r of found) expect(r).toMatchObject({ clientRequestId: clientId, keyId: `victim-${run}`, status: 200 });
  });

  it("never lets another key's request reuse a victim's id: both are recorded, each as its own", async () => {
    const victimResponse = await chat(victim, {}, { max_tokens: 5 });
    const victimId = victimResponse.headers.get('x-request-id') ?? '';
    const [victimRecord] = await recordsFor([victimId]);
    // The attacker sends the victim's id (as if it had seen it in a log or a response).
    const attack = await chat(attacker, { 'x-request-id': victimId }, { max_tokens: 50 });
    expect(attack.status).toBe(200);
    const attackId = attack.headers.get('x-request-id') ?? '';
    expect(attackId).not.toBe(victimId);
    expect(attack.headers.get('x-client-request-id')).toBe(victimId);
    const [attackRecord] = await recordsFor([attackId]);
    expect(attackRecord).toMatchObject({ keyId: `attacker-${run}`, clientRequestId: victimId });
    // Nothing the gateway sent carries the victim's id as its key but the victim's own record.
    const underVictimId = records.filter((r) => r.requestId === victimId);
    expect(underVictimId).toEqual([victimRecord]);
    expect(victimRecord).toMatchObject({ keyId: `victim-${run}`, clientRequestId: null });
  });

  it('keeps a client id to 128 printable ASCII characters: a longer one is cut, a bad one dropped, never an error', async () => {
    const long = await chat(victim, { 'x-request-id': 'a'.repeat(300) });
    expect(long.status).toBe(200);
    expect(long.headers.get('x-client-request-id')).toBe('a'.repeat(128));
    const bad = await chat(victim, { 'x-request-id': 'tab\there' });
    expect(bad.status).toBe(200);
    expect(bad.headers.get('x-client-request-id')).toBeNull();
    expect(bad.headers.get('x-request-id')).toMatch(UUID);
    const [longRecord, badRecord] = await recordsFor([long.headers.get('x-request-id') ?? '', bad.headers.get('x-request-id') ?? '']);
    expect([longRecord?.clientRequestId, badRecord?.clientRequestId].sort()).toEqual(['a'.repeat(128), null].sort());
  });
});
