import { createHash, randomBytes } from 'node:crypto';
import { STREAMS, SUBJECTS, type ApiKeyInfo, type KeyVerifyRequest, type KeyVerifyResponse, type UsageRecord } from '@iir/contracts';
import { createDurableLog, destroyDurableLog, type DurableConsumer, type DurableLog } from '@iir/platform';
import { FakeOpenAIServer, requireService, TEST_REDIS_URL, waitFor } from '@iir/testing';
import { GatewayHarness, modelRecord, target } from './gateway-harness';

/**
 * Trust on the request path: the key's allow-list before the cache and the plan, and
 * `x-iir-route: local-only` as a hard constraint on every path. The remote upstream is a tripwire:
 * a request reaching it while it is armed fails the test.
 */
describe('gateway trust: allowed_models and local-only (real Redis, real NATS, fake upstreams)', () => {
  const h = new GatewayHarness();
  const secret = new FakeOpenAIServer();
  const allowed = new FakeOpenAIServer();
  const local = new FakeOpenAIServer();
  const remote = new FakeOpenAIServer();
  let remoteArmed = true;
  let remoteBefore = 0;
  let log: DurableLog<UsageRecord[]>;
  let consumer: DurableConsumer;
  const records: UsageRecord[] = [];
  const run = randomBytes(4).toString('hex');
  const WIDE = `iir-wide-${run}`;
  const NARROW = `iir-narrow-${run}`;
  const GLOB = `iir-glob-${run}`;
  const keys = new Map<string, ApiKeyInfo>();

  const LOCAL = 'ollama/llama3.2';
  const REMOTE = 'fake/remote';
  const localTarget = () => target(LOCAL, local.baseUrl, { kind: 'vllm', provider: 'ollama' });
  const remoteTarget = () => target(REMOTE, remote.baseUrl);

  const chat = (key: string | undefined, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    fetch(`${h.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      body: JSON.stringify({ temperature: 0, ...body }),
    });
  const say = (words: string) => [{ role: 'user', content: `${words} ${run}` }];
  const pinned = { 'x-iir-route': 'local-only' };

  beforeAll(async () => {
    await requireService('Redis', TEST_REDIS_URL);
    await Promise.all([secret.start(), allowed.start(), local.start(), remote.start()]);
    await h.start({ REDIS_URL: TEST_REDIS_URL, CACHE_TTL: '60' });
    keys.set(sha(WIDE), key('wide', []));
    keys.set(sha(NARROW), key('narrow', ['fake/allowed', 'fake/flaky']));
    keys.set(sha(GLOB), key('glob', ['fake/al*']));
    h.bus.handle(SUBJECTS.auth.verifyKey, (payload): KeyVerifyResponse => {
      const found = keys.get((payload as KeyVerifyRequest).hash);
      return found ? { key: found, usable: true } : { usable: false, reason: 'unknown' };
    });
    h.routes.set('fake/secret', [target('fake/secret', secret.baseUrl)]);
    h.routes.set('fake/allowed', [target('fake/allowed', allowed.baseUrl)]);
    // A flaky allowed model whose registry fallback is a model the narrow key may not use.
    h.routes.set('fake/flaky', [target('fake/flaky', allowed.baseUrl), target('fake/secret', secret.baseUrl)]);
    h.models = [modelRecord('fake/allowed', { aliases: ['allowed-alias'] }), modelRecord('fake/secret'), modelRecord('fake/flaky')];
    h.routes.set('allowed-alias', [target('fake/allowed', allowed.baseUrl)]);
    // As a router that offloads would answer: the remote first, the local after it.
    h.routes.set('local/tier', [remoteTarget(), localTarget()]);
    h.routes.set(LOCAL, [localTarget()]);
    h.routes.set(REMOTE, [remoteTarget()]);
    h.routes.set('auto', [remoteTarget(), localTarget()]);
    log = await createDurableLog<UsageRecord[]>(h.bus, { stream: STREAMS.usage, subject: SUBJECTS.auth.usageRecorded });
    consumer = await log.consume('trust_test', async (batch) => {
      records.push(...batch.flat());
    });
  });

  beforeEach(() => {
    remoteArmed = true;
    remoteBefore = remote.requestCount;
  });

  afterEach(() => {
    if (remoteArmed) expect(remote.requestCount - remoteBefore).toBe(0);
  });

  afterAll(async () => {
    await consumer?.stop();
    if (log) await destroyDurableLog(log);
    await h.stop();
    await Promise.all([secret.close(), allowed.close(), local.close(), remote.close()]);
  });

  describe('allowed_models', () => {
    it('refuses a model the key may not use with 403 even after another key cached its answer', async () => {
      const body = { model: 'fake/secret', messages: say('the secret') };
      const wide = await chat(WIDE, body);
      expect(wide.status).toBe(200);
      const narrow = await chat(NARROW, body);
      expect(narrow.status).toBe(403);
      expect(narrow.headers.get('x-iir-cache')).not.toBe('hit');
      const error = ((await narrow.json()) as { error: { code: string; message: string; type: string } }).error;
      expect(error).toMatchObject({ code: 'permission_denied', message: expect.stringContaining("'fake/secret'") });
    });

    it('refuses a forbidden model instead of answering it from an allowed entry of the models list', async () => {
      const calls = allowed.requestCount;
      const res = await chat(NARROW, { model: 'fake/secret', models: ['fake/allowed'], messages: say('fallback') });
      expect(res.status).toBe(403);
      expect(allowed.requestCount).toBe(calls);
    });

    it('refuses a models list naming a model the key may not use', async () => {
      const res = await chat(NARROW, { model: 'fake/allowed', models: ['fake/secret'], messages: say('list') });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain("'fake/secret'");
    });

    it('does not serve a cached answer a forbidden fallback produced', async () => {
      allowed.failNext(20, 500);
      const body = { model: 'fake/flaky', messages: say('flaky') };
      const wide = await chat(WIDE, body);
      expect(wide.status).toBe(200);
      expect(wide.headers.get('x-iir-target')).toBe('fake/secret');
      allowed.reset();
      const calls = secret.requestCount;
      const narrow = await chat(NARROW, body);
      expect(narrow.headers.get('x-iir-cache')).not.toBe('hit');
      expect(narrow.headers.get('x-iir-target')).toBe('fake/flaky');
      expect(secret.requestCount).toBe(calls);
    });

    it('accepts an alias of an allowed model', async () => {
      const res = await chat(NARROW, { model: 'allowed-alias', messages: say('alias') });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-iir-target')).toBe('fake/allowed');
    });

    it('never lets an allowed name reach a model the key may not use through a bare-id resolution', async () => {
      // As a router that matched the name as another provider's bare id would answer.
      h.routes.set('fake/al-bare', [target('fake/secret', secret.baseUrl)]);
      const calls = secret.requestCount;
      const res = await chat(GLOB, { model: 'fake/al-bare', messages: say('bare') });
      expect(res.status).toBe(403);
      expect(secret.requestCount).toBe(calls);
      // An alias is a registry name for its model: it still stands for its target.
      const alias = await chat(NARROW, { model: 'allowed-alias', messages: say('alias ok') });
      expect(alias.status).toBe(200);
    });

    it('names near misses a key may use, never one it may not (chat and /v1/models/{id})', async () => {
      h.suggest = () => ['fake/secret', 'fake/allowed'];
      try {
        // A name outside the allow-list is refused before the router hears of it …
        expect((await chat(NARROW, { model: 'fake/secre', messages: say('typo') })).status).toBe(403);
        // … and one inside it that the router does not know hears only of allowed near misses.
        const res = await chat(GLOB, { model: 'fake/alowed', messages: say('typo') });
        expect(res.status).toBe(404);
        const message = ((await res.json()) as { error: { message: string } }).error.message;
        expect(message).toContain('Did you mean: fake/allowed?');
        expect(message).not.toContain('fake/secret');
        const wide = await chat(WIDE, { model: 'fake/secre', messages: say('typo') });
        expect(((await wide.json()) as { error: { message: string } }).error.message).toContain('fake/secret');
      } finally {
        h.suggest = () => ['fake/echo'];
      }
      const one = await fetch(`${h.baseUrl}/v1/models/fake/secre`, { headers: { authorization: `Bearer ${NARROW}` } });
      expect(one.status).toBe(404);
      const message = ((await one.json()) as { error: { message: string } }).error.message;
      expect(message).not.toContain('fake/secret');
      const wideOne = await fetch(`${h.baseUrl}/v1/models/fake/secre`, { headers: { authorization: `Bearer ${WIDE}` } });
      expect(((await wideOne.json()) as { error: { message: string } }).error.message).toContain('Did you mean: fake/secret');
    });

    it('lists only the models the key may use on /v1/models', async () => {
      const res = await fetch(`${h.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${NARROW}` } });
      const ids = ((await res.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id).sort();
      expect(ids).toEqual(['fake/allowed', 'fake/flaky']);
      const one = await fetch(`${h.baseUrl}/v1/models/fake/secret`, { headers: { authorization: `Bearer ${NARROW}` } });
      expect(one.status).toBe(403);
    });
  });

  describe('x-iir-route: local-only', () => {
    it('never follows a remote offload target, tells the router the pin, and records it in the ledger', async () => {
      const res = await chat(undefined, { model: 'local/tier', messages: say('offload') }, pinned);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-iir-target')).toBe(LOCAL);
      expect(h.plans.at(-1)?.route).toBe('local-only');
      const id = res.headers.get('x-request-id');
      const record = await waitFor(() => records.find((r) => r.requestId === id));
      expect(record).toMatchObject({ routePin: 'local-only', target: LOCAL });
    });

    it('never uses a remote entry of the models list, even when the local target fails', async () => {
      local.failNext(20, 500);
      const res = await chat(undefined, { model: LOCAL, models: [REMOTE], messages: say('list') }, pinned);
      local.reset();
      expect(res.status).not.toBe(200);
    });

    it('answers 503 in the OpenAI error shape when no local target is available', async () => {
      const res = await chat(undefined, { model: REMOTE, messages: say('remote') }, pinned);
      expect(res.status).toBe(503);
      const error = ((await res.json()) as { error: { code: string; message: string } }).error;
      expect(error).toMatchObject({ code: 'no_target_available', message: expect.stringContaining('local-only') });
    });

    it('keeps auto on local targets', async () => {
      const res = await chat(undefined, { model: 'auto', messages: say('auto') }, pinned);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-iir-target')).toBe(LOCAL);
    });

    it('does not serve a cached remote answer to a local-only request', async () => {
      const body = { model: 'local/tier', messages: say('cached remote') };
      remoteArmed = false; // the unpinned request may go remote: that is what gets cached
      const unpinned = await chat(undefined, body);
      expect(unpinned.headers.get('x-iir-target')).toBe(REMOTE);
      const before = remote.requestCount;
      const res = await chat(undefined, body, pinned);
      expect(res.headers.get('x-iir-cache')).not.toBe('hit');
      expect(res.headers.get('x-iir-target')).toBe(LOCAL);
      expect(remote.requestCount).toBe(before);
    });
  });

  function key(id: string, allowedModels: string[]): ApiKeyInfo {
    return {
      id: `${id}-${run}`,
      displayPrefix: 'iir-',
      description: id,
      role: 'user',
      priority: 0,
      rpm: null,
      tpm: null,
      allowedModels,
      expiresAt: null,
      revokedAt: null,
      createdAt: '2026-01-01T00:00:00.000Z',
    };
  }
});

function sha(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
