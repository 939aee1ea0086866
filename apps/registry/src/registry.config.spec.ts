import path from 'node:path';
import { commonConfigShape, ConfigError, loadConfig } from '@iir/platform';
import { agentSettings, databaseSettings, registryConfigShape, seedOptions } from './registry.config';

describe('registry config', () => {
  it('defaults to SQLite under ./var and config/models.yaml, relative to the working directory', () => {
    const config = loadConfig(registryConfigShape, {});
    expect(databaseSettings(config)).toEqual({ type: 'sqlite', file: path.resolve('var/registry.sqlite') });
    expect(seedOptions(config)).toMatchObject({ file: path.resolve('config/models.yaml'), optional: true });
  });

  it('uses Postgres when DATABASE_URL is a postgres:// URL', () => {
    const config = loadConfig(registryConfigShape, { DATABASE_URL: 'postgres://u:p@db:5432/iir' });
    expect(databaseSettings(config)).toEqual({ type: 'postgres', url: 'postgres://u:p@db:5432/iir' });
  });

  it('names the variable when a setting is wrong', () => {
    expect(() => loadConfig(registryConfigShape, { DATABASE_URL: 'mysql://db/iir' })).toThrow(ConfigError);
    expect(() => loadConfig(registryConfigShape, { DATABASE_URL: 'mysql://db/iir' })).toThrow(/DATABASE_URL: must be a URL/);
    expect(() => loadConfig(registryConfigShape, { VLLM_BASE_URL: 'gpu:8000' })).toThrow(/VLLM_BASE_URL/);
    expect(() => loadConfig(registryConfigShape, { REGISTRY_PORT: 'eighty' })).toThrow(/REGISTRY_PORT/);
  });

  it('gives the seeder a snapshot of the provider variables only, and requires a named seed file to exist', () => {
    const config = loadConfig(registryConfigShape, {
      EXTERNAL_OPENAI_KEY: 'sk-x',
      REGISTRY_SEED_FILE: '/etc/iir/models.yaml',
      DATABASE_URL: 'postgres://u:secret@db/iir',
    });
    const seed = seedOptions(config);
    expect(seed.environment['EXTERNAL_OPENAI_KEY']).toBe('sk-x');
    expect('EXTERNAL_ANTHROPIC_KEY' in seed.environment).toBe(true);
    expect('DATABASE_URL' in seed.environment).toBe(false);
    expect(seed).toMatchObject({ file: '/etc/iir/models.yaml', optional: false });
  });

  it('requires agent credentials on NATS and not on the in-process bus, unless AGENT_AUTH says otherwise', () => {
    const settings = (env: Record<string, string>): ReturnType<typeof agentSettings> => agentSettings(loadConfig({ ...commonConfigShape, ...registryConfigShape }, env) as never);
    expect(settings({ NATS_URL: 'nats://127.0.0.1:4222' }).auth).toBe('required');
    expect(settings({}).auth).toBe('off');
    expect(settings({ AGENT_AUTH: 'required' }).auth).toBe('required');
    expect(settings({ NATS_URL: 'nats://127.0.0.1:4222', AGENT_AUTH: 'off' }).auth).toBe('off');
    expect(settings({ IIR_ADMIN_KEY: 'k' }).adminKeyHash).toHaveLength(32);
    expect(() => settings({ AGENT_AUTH: 'maybe' })).toThrow(/AGENT_AUTH/);
  });

  it('makes agents stale after three missed heartbeats by default, sweeping within the timeout', () => {
    expect(agentSettings(loadConfig(registryConfigShape, {}))).toEqual({
      heartbeatMs: 5_000,
      staleAfterMs: 15_000,
      sweepMs: 1_000,
      persistLastSeenMs: 60_000,
      auth: 'off',
    });
    const fast = agentSettings(loadConfig(registryConfigShape, { AGENT_HEARTBEAT_MS: '100', AGENT_STALE_AFTER_MS: '300' }));
    expect(fast).toMatchObject({ heartbeatMs: 100, staleAfterMs: 300, sweepMs: 75 });
  });

  it('refuses agent timeouts that make no sense, naming the variable', () => {
    expect(() => loadConfig(registryConfigShape, { AGENT_HEARTBEAT_MS: 'often' })).toThrow(/AGENT_HEARTBEAT_MS/);
    expect(() => loadConfig(registryConfigShape, { AGENT_STALE_AFTER_MS: '5' })).toThrow(/AGENT_STALE_AFTER_MS/);
    const config = loadConfig(registryConfigShape, { AGENT_HEARTBEAT_MS: '1000', AGENT_STALE_AFTER_MS: '900' });
    expect(() => agentSettings(config)).toThrow(/AGENT_STALE_AFTER_MS: must be more than AGENT_HEARTBEAT_MS/);
  });
});
