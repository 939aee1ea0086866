import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { BusError, SUBJECTS, type AgentHeartbeat, type AgentRegisterRequest, type ApiKeyInfo, type KeyVerifyResponse } from '@iir/contracts';
import { ConfigError } from '@iir/platform';
import { waitFor } from '@iir/testing';
import { openDataSource } from '../src/database/data-source';
import { AgentEntity } from '../src/agents/agent.entity';
import { RegistryHarness } from './registry-harness';

// Credentials have their own describe below; these are about registration and liveness.
const FAST = { AGENT_HEARTBEAT_MS: '100', AGENT_STALE_AFTER_MS: '300', AGENT_AUTH: 'off' };

function registration(agentId: string, overrides: Partial<AgentRegisterRequest> = {}): AgentRegisterRequest {
  return {
    agentId,
    models: ['local/llama-3-8b-instruct'],
    hardware: { cpu: 'Apple M3 Max', cores: 16, memoryGb: 64, gpu: 'Apple M3 Max', accelerator: 'apple-silicon' },
    maxConcurrency: 2,
    version: '0.1.0',
    ...overrides,
  };
}

function beat(agentId: string, overrides: Partial<AgentHeartbeat> = {}): AgentHeartbeat {
  return {
    agentId,
    queueLength: 1,
    inFlight: 1,
    loadedModels: ['local/llama-3-8b-instruct'],
    state: { power: 'ac', thermal: 'nominal' },
    sentAt: new Date().toISOString(),
    ...overrides,
  };
}

/** A scripted agent: heartbeats on a timer until stopped. */
function heartbeating(h: RegistryHarness, agentId: string, everyMs = 50): { stop(): void } {
  const timer = setInterval(() => void h.client.agentHeartbeat(beat(agentId)).catch(() => undefined), everyMs);
  return { stop: () => clearInterval(timer) };
}

describe('registry agents over NATS, on SQLite', () => {
  let h: RegistryHarness;

  beforeEach(async () => {
    h = await new RegistryHarness().setUp();
    await h.writeSeed('models: []\n');
  });
  afterEach(() => h.tearDown());

  it('registers an agent, lists it fresh, and announces the registration', async () => {
    await h.start(FAST);
    const record = await h.client.registerAgent(registration('mac-1'));
    expect(record).toEqual({
      ...registration('mac-1'),
      queueLength: 0,
      inFlight: 0,
      loadedModels: [],
      state: {},
      registeredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastHeartbeatAt: null,
      freshness: 'fresh',
    });
    const { agents, version } = await h.client.listAgents();
    expect(agents).toEqual([record]);
    await waitFor(() => h.agentChanges.some((e) => e.agentId === 'mac-1' && e.reason === 'registered'), {
      what: 'registry.agents.changed (registered)',
    });
    expect(h.agentChanges.find((e) => e.reason === 'registered')?.version).toBe(version);
  });

  it("keeps an HTTP-mode agent's URL across a restart, and refuses one that is not http(s) or carries credentials", async () => {
    await h.start(FAST);
    const record = await h.client.registerAgent({ ...registration('mac-http'), url: 'http://mac-http.local:5000/' });
    expect(record.url).toBe('http://mac-http.local:5000');
    for (const url of ['ftp://mac:21', 'http://user:pw@mac:5000', 'not a url']) {
      await expect(h.client.registerAgent({ ...registration('mac-bad'), url })).rejects.toMatchObject({ code: 'invalid_request_error' });
    }
    await h.start(FAST);
    const { agents } = await h.client.listAgents({ includeStale: true });
    expect(agents.find((a) => a.agentId === 'mac-http')?.url).toBe('http://mac-http.local:5000');
  });

  it('re-registering the same id replaces what it serves and keeps its registration time', async () => {
    await h.start(FAST);
    const first = await h.client.registerAgent(registration('mac-1'));
    const again = await h.client.registerAgent(
      registration('mac-1', { models: ['local/qwen-2.5-7b'], maxConcurrency: 4, version: '0.2.0', hardware: { accelerator: 'cpu' } }),
    );
    expect(again).toMatchObject({ models: ['local/qwen-2.5-7b'], maxConcurrency: 4, version: '0.2.0', hardware: { accelerator: 'cpu' } });
    expect(again.registeredAt).toBe(first.registeredAt);
    const { agents } = await h.client.listAgents();
    expect(agents).toHaveLength(1);
  });

  it('a heartbeat updates the live fields without bumping the version', async () => {
    await h.start(FAST);
    await h.client.registerAgent(registration('mac-1'));
    const before = await h.client.listAgents();
    const record = await h.client.agentHeartbeat(beat('mac-1', { queueLength: 3, inFlight: 2 }));
    expect(record).toMatchObject({
      queueLength: 3,
      inFlight: 2,
      loadedModels: ['local/llama-3-8b-instruct'],
      state: { power: 'ac', thermal: 'nominal' },
      lastHeartbeatAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      freshness: 'fresh',
    });
    const after = await h.client.listAgents();
    expect(after.agents[0]).toEqual(record);
    expect(after.version).toBe(before.version);
  });

  it('a heartbeat from an agent it does not know is not_found, so the agent registers again', async () => {
    await h.start(FAST);
    const error = await h.client.agentHeartbeat(beat('ghost')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusError);
    expect(error).toMatchObject({ code: 'not_found', message: expect.stringContaining('ghost') });
  });

  it('marks an agent that stops heartbeating stale within the timeout, and fresh again on its next beat', async () => {
    await h.start(FAST);
    await h.client.registerAgent(registration('mac-1'));
    await h.client.registerAgent(registration('mac-2'));
    const one = heartbeating(h, 'mac-1');
    const two = heartbeating(h, 'mac-2');
    try {
      // Both alive across several stale periods.
      await waitFor(async () => (await h.client.listAgents()).agents.every((a) => a.lastHeartbeatAt !== null), { what: 'heartbeats' });
      two.stop();
      const stoppedAt = Date.now();
      await waitFor(() => h.agentChanges.some((e) => e.agentId === 'mac-2' && e.reason === 'stale'), {
        timeoutMs: 3_000,
        intervalMs: 10,
        what: 'registry.agents.changed (stale)',
      });
      // 300 ms of silence plus at most one sweep (75 ms); the margin is for a loaded test machine.
      expect(Date.now() - stoppedAt).toBeLessThan(2_000);
      // The agent that keeps beating stays listed (polled: on a loaded machine a beat can be late).
      await waitFor(async () => (await h.client.listAgents()).agents.map((a) => a.agentId).join() === 'mac-1', { what: 'only mac-1 fresh' });
      const all = await h.client.listAgents({ includeStale: true });
      expect(all.agents.find((a) => a.agentId === 'mac-2')?.freshness).toBe('stale');

      const back = await h.client.agentHeartbeat(beat('mac-2'));
      expect(back.freshness).toBe('fresh');
      await waitFor(() => h.agentChanges.some((e) => e.agentId === 'mac-2' && e.reason === 'fresh'), { what: 'registry.agents.changed (fresh)' });
      const versions = h.agentChanges.map((e) => e.version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
    } finally {
      one.stop();
      two.stop();
    }
  });

  it('refuses a malformed registration or heartbeat with invalid_request_error naming the field', async () => {
    await h.start(FAST);
    const cases: Array<[unknown, string]> = [
      [{ ...registration('mac-1'), agentId: '' }, 'agentId'],
      [{ ...registration('mac-1'), agentId: 'has spaces' }, 'agentId'],
      [{ ...registration('mac-1'), models: 'local/x' }, 'models'],
      [{ ...registration('mac-1'), models: [''] }, 'models[0]'],
      [{ ...registration('mac-1'), maxConcurrency: 0 }, 'maxConcurrency'],
      [{ ...registration('mac-1'), version: 7 }, 'version'],
      [{ ...registration('mac-1'), hardware: { cores: -1 } }, 'hardware.cores'],
    ];
    for (const [payload, param] of cases) {
      const error = await h.client.registerAgent(payload as AgentRegisterRequest).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'invalid_request_error', details: { param } });
    }
    await h.client.registerAgent(registration('mac-1'));
    const bad = await h.client.agentHeartbeat({ ...beat('mac-1'), queueLength: -1 }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'invalid_request_error', details: { param: 'queueLength' } });
    const badState = await h.client.agentHeartbeat({ ...beat('mac-1'), state: { nested: {} } as never }).catch((e: unknown) => e);
    expect(badState).toMatchObject({ code: 'invalid_request_error', details: { param: 'state.nested' } });
  });

  it('refuses an id whose chat subject another agent already has', async () => {
    await h.start(FAST);
    await h.client.registerAgent(registration('mac.1'));
    await expect(h.client.registerAgent(registration('mac_1'))).rejects.toMatchObject({ code: 'invalid_request_error' });
  });

  it('keeps registrations across a restart: a heartbeat is recognised, the agent is stale until it beats', async () => {
    await h.start(FAST);
    const first = await h.client.registerAgent(registration('mac-1'));
    await h.start(FAST);
    const listed = await h.client.listAgents({ includeStale: true });
    expect(listed.agents).toEqual([expect.objectContaining({ agentId: 'mac-1', freshness: 'stale', registeredAt: first.registeredAt })]);
    expect((await h.client.agentHeartbeat(beat('mac-1'))).freshness).toBe('fresh');
    expect((await h.client.registerAgent(registration('mac-1'))).registeredAt).toBe(first.registeredAt);

    const db = await openDataSource({ type: 'sqlite', file: path.join(h.dir, 'data', 'registry.sqlite') });
    try {
      const rows = await db.getRepository(AgentEntity).find();
      expect(rows).toEqual([expect.objectContaining({ agentId: 'mac-1', models: ['local/llama-3-8b-instruct'], maxConcurrency: 2 })]);
    } finally {
      await db.destroy();
    }
  });

  it('keeps a live agent id to the instance token it registered with; a stale one may be taken over', async () => {
    await h.start(FAST);
    const mine = randomBytes(32).toString('hex');
    const theirs = randomBytes(32).toString('hex');
    await h.client.registerAgent(registration('mac-1', { instanceToken: mine }));

    const denied = { code: 'permission_denied', details: { param: 'instanceToken' } };
    await expect(h.client.registerAgent(registration('mac-1', { instanceToken: theirs, models: ['evil/model'] }))).rejects.toMatchObject(denied);
    await expect(h.client.registerAgent(registration('mac-1', { models: ['evil/model'] }))).rejects.toMatchObject(denied);
    const refusal = (await h.client.registerAgent(registration('mac-1', { instanceToken: theirs })).catch((e: unknown) => e)) as Error;
    expect(refusal.message).not.toContain(theirs);
    await expect(h.client.agentHeartbeat(beat('mac-1'))).rejects.toMatchObject(denied);
    await expect(h.client.agentHeartbeat(beat('mac-1', { instanceToken: theirs }))).rejects.toMatchObject(denied);
    expect((await h.client.listAgents()).agents[0]?.models).toEqual(['local/llama-3-8b-instruct']);

    // The same token re-registers and beats.
    expect((await h.client.registerAgent(registration('mac-1', { instanceToken: mine, version: '0.2.0' }))).version).toBe('0.2.0');
    expect((await h.client.agentHeartbeat(beat('mac-1', { instanceToken: mine }))).freshness).toBe('fresh');

    // Silent past the stale window: a restarted agent with a new token takes its id back.
    await waitFor(() => h.agentChanges.some((e) => e.agentId === 'mac-1' && e.reason === 'stale'), { timeoutMs: 3_000, what: 'mac-1 stale' });
    await h.client.registerAgent(registration('mac-1', { instanceToken: theirs }));
    await expect(h.client.agentHeartbeat(beat('mac-1', { instanceToken: mine }))).rejects.toMatchObject(denied);
    expect((await h.client.agentHeartbeat(beat('mac-1', { instanceToken: theirs }))).freshness).toBe('fresh');

    // Only the hash is stored.
    const db = await openDataSource({ type: 'sqlite', file: path.join(h.dir, 'data', 'registry.sqlite') });
    try {
      const [row] = await db.getRepository(AgentEntity).find();
      expect(row?.instanceTokenHash).toBe(createHash('sha256').update(theirs).digest('hex'));
      expect(JSON.stringify(row)).not.toContain(theirs);
    } finally {
      await db.destroy();
    }
  });

  it('refuses an instance token too short to be a secret', async () => {
    await h.start(FAST);
    await expect(h.client.registerAgent(registration('mac-1', { instanceToken: 'short' }))).rejects.toMatchObject({
      code: 'invalid_request_error',
      details: { param: 'instanceToken' },
    });
  });

  it('will not start when the stale timeout is not longer than the heartbeat', async () => {
    await expect(h.start({ AGENT_HEARTBEAT_MS: '500', AGENT_STALE_AFTER_MS: '500' })).rejects.toThrow(ConfigError);
    await expect(h.start({ AGENT_HEARTBEAT_MS: '500', AGENT_STALE_AFTER_MS: '500' })).rejects.toThrow(/AGENT_STALE_AFTER_MS/);
  });
});

describe('registry agents: credentials over NATS (AGENT_AUTH=required)', () => {
  let h: RegistryHarness;
  const ADMIN = 'registry-admin-key-0123456789abcdef';
  const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
  const key = (id: string, role: ApiKeyInfo['role'], agentId?: string): ApiKeyInfo => ({
    id, displayPrefix: 'iir-', description: id, role, priority: 0, rpm: null, tpm: null, allowedModels: [], expiresAt: null,
    createdAt: '2026-01-01T00:00:00.000Z', revokedAt: null, ...(agentId ? { agentId } : {}),
  });
  // What auth answers for each hash (auth itself is tested with its real database elsewhere).
  const keys = new Map<string, KeyVerifyResponse>([
    [sha('iir-agent-mac-1'), { key: key('k1', 'agent', 'mac-1'), usable: true }],
    [sha('iir-agent-mac-2'), { key: key('k2', 'agent', 'mac-2'), usable: true }],
    [sha('iir-user'), { key: key('k3', 'user'), usable: true }],
    [sha('iir-revoked'), { key: key('k4', 'agent', 'mac-1'), usable: false, reason: 'revoked' }],
  ]);
  const refusal = (promise: Promise<unknown>): Promise<string | undefined> => promise.then(() => undefined, (e: unknown) => BusError.from(e).code);

  beforeEach(async () => {
    h = await new RegistryHarness().setUp();
    await h.writeSeed('models: []\n');
    h.bus.handle(SUBJECTS.auth.verifyKey, (payload) => keys.get((payload as { hash: string }).hash) ?? { usable: false, reason: 'unknown' }, { queue: 'auth' });
    await h.start({ ...FAST, AGENT_AUTH: 'required', IIR_ADMIN_KEY: ADMIN });
  });
  afterEach(() => h.tearDown());

  it('refuses a registration without a credential, with a wrong one, and with a revoked one', async () => {
    expect(await refusal(h.client.registerAgent(registration('mac-1')))).toBe('invalid_api_key');
    expect(await refusal(h.client.registerAgent({ ...registration('mac-1'), credential: 'iir-nobody' }))).toBe('invalid_api_key');
    expect(await refusal(h.client.registerAgent({ ...registration('mac-1'), credential: 'iir-revoked' }))).toBe('invalid_api_key');
    expect((await h.client.listAgents({ includeStale: true })).agents).toEqual([]);
  });

  it("refuses another agent's credential and a user key with permission_denied", async () => {
    expect(await refusal(h.client.registerAgent({ ...registration('mac-1'), credential: 'iir-agent-mac-2' }))).toBe('permission_denied');
    expect(await refusal(h.client.registerAgent({ ...registration('mac-1'), credential: 'iir-user' }))).toBe('permission_denied');
  });

  it('takes its own credential (or an admin key) for registration and heartbeats, and never stores it', async () => {
    const record = await h.client.registerAgent({ ...registration('mac-1'), credential: 'iir-agent-mac-1' });
    expect(record).not.toHaveProperty('credential');
    await h.client.agentHeartbeat({ ...beat('mac-1'), credential: 'iir-agent-mac-1' });
    expect(await refusal(h.client.agentHeartbeat(beat('mac-1')))).toBe('invalid_api_key');
    expect(await refusal(h.client.agentHeartbeat({ ...beat('mac-1'), credential: 'iir-agent-mac-2' }))).toBe('permission_denied');
    await h.client.registerAgent({ ...registration('mac-9'), credential: ADMIN });
    expect((await h.client.listAgents()).agents.map((a) => a.agentId).sort()).toEqual(['mac-1', 'mac-9']);
  });
});
