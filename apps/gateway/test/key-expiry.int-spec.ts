import { waitFor } from '@iir/testing';
import { GatewayHarness, modelRecord } from './gateway-harness';
import { ScriptedAuth } from './scripted-auth';

const EXPIRES_IN_MS = 2_000;

/** An expired key is refused on every path: fresh from auth, from the cache, and stale while auth is down. */
describe('gateway key expiry on cached and stale verifications (real NATS, scripted auth)', () => {
  const models = (h: GatewayHarness, secret: string): Promise<Response> => fetch(`${h.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });
  const expiresSoon = (): string => new Date(Date.now() + EXPIRES_IN_MS).toISOString();
  const refusedAsExpired = async (response: Response): Promise<void> => {
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: expect.objectContaining({ code: 'invalid_api_key', message: 'This API key has expired.' }) });
  };

  describe('while auth is unreachable (the stale path)', () => {
    const h = new GatewayHarness();
    let auth: ScriptedAuth;

    beforeAll(async () => {
      // Every request asks auth; a verified key would keep working for five minutes if auth went away.
      await h.start({ GATEWAY_AUTH: 'required', AUTH_CACHE_TTL_MS: '0', AUTH_STALE_TTL_MS: '300000', AUTH_TIMEOUT_MS: '500' });
      h.models = [modelRecord('fake/echo')];
      auth = await new ScriptedAuth(h.bus).start();
    });

    afterAll(async () => {
      await auth?.stop();
      await h.stop();
    });

    it('refuses a key once it has expired, though auth cannot be asked', async () => {
      const expiring = auth.add('stale-expiring', expiresSoon());
      const lasting = auth.add('stale-lasting', null);
      expect((await models(h, expiring)).status).toBe(200);
      expect((await models(h, lasting)).status).toBe(200);
      await auth.stop();
      // Auth is gone: a key that has not expired still works from the stale answer…
      expect((await models(h, lasting)).status).toBe(200);
      // …and the expiring one stops working the moment its expiry passes.
      await waitFor(async () => (await models(h, expiring)).status === 401, { timeoutMs: 15_000, what: 'the expired key refused' });
      await refusedAsExpired(await models(h, expiring));
      expect((await models(h, lasting)).status).toBe(200);
    });
  });

  describe('with a long cache TTL (the fresh-cache path)', () => {
    const h = new GatewayHarness();
    let auth: ScriptedAuth;

    beforeAll(async () => {
      await h.start({ GATEWAY_AUTH: 'required', AUTH_CACHE_TTL_MS: '600000' });
      h.models = [modelRecord('fake/echo')];
      auth = await new ScriptedAuth(h.bus).start();
    });

    afterAll(async () => {
      await auth?.stop();
      await h.stop();
    });

    it('refuses a cached key once it has expired, without waiting for the cache entry to age out', async () => {
      const expiring = auth.add('cached-expiring', expiresSoon());
      expect((await models(h, expiring)).status).toBe(200);
      const asked = auth.verifications;
      expect((await models(h, expiring)).status).toBe(200);
      // Still within the cache TTL: the second call came from the cache.
      expect(auth.verifications).toBe(asked);
      await waitFor(async () => (await models(h, expiring)).status === 401, { timeoutMs: 15_000, what: 'the expired key refused' });
      await refusedAsExpired(await models(h, expiring));
    });
  });

  describe('a key in its second TTL (refreshed ahead)', () => {
    const h = new GatewayHarness();
    let auth: ScriptedAuth;
    const TTL_MS = 1_000;

    beforeAll(async () => {
      await h.start({ GATEWAY_AUTH: 'required', AUTH_CACHE_TTL_MS: String(TTL_MS), AUTH_TIMEOUT_MS: '10000' });
      h.models = [modelRecord('fake/echo')];
      auth = await new ScriptedAuth(h.bus).start();
    });

    afterAll(async () => {
      auth?.release();
      await auth?.stop();
      await h.stop();
    });

    it('never waits on a slow auth for a key it verified, and a missed revocation lasts at most two TTLs', async () => {
      const secret = auth.add('steady');
      expect((await models(h, secret)).status).toBe(200);
      const asked = auth.verifications;
      await new Promise((r) => setTimeout(r, TTL_MS + 100));
      // auth answers nothing now: the request is served from the answer in hand, and a refresh is asked for
      auth.hold();
      expect((await models(h, secret)).status).toBe(200);
      await waitFor(() => auth.verifications === asked + 1, { what: 'the refresh to be asked for' });
      expect((await models(h, secret)).status).toBe(200);
      expect(auth.verifications).toBe(asked + 1);
      // revoked in auth with no broadcast: the refresh brings the verdict, and the key stops working
      auth.revokeQuietly(secret);
      auth.release();
      await waitFor(async () => (await models(h, secret)).status === 401, { timeoutMs: 3 * TTL_MS + 5_000, what: 'the revoked key refused' });
    });
  });
});
