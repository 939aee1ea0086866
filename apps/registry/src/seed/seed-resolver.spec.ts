import { readFileSync } from 'node:fs';
import path from 'node:path';
import { providerConfigShape } from '../registry.config';
import { parseSeedFile, SeedFileError, type SeedEntry } from './seed-file';
import { resolveSeed } from './seed-resolver';

const entry = (overrides: Partial<SeedEntry>): SeedEntry => ({
  name: 'openai/gpt-4o-mini',
  provider: 'openai',
  kind: 'hosted',
  protocol: 'openai',
  base_url: '${EXTERNAL_OPENAI_BASE_URL:-https://api.openai.com/v1}',
  upstream_model: 'gpt-4o-mini',
  context_window: 128000,
  pricing: { prompt: 0.15, completion: 0.6 },
  modalities: null,
  aliases: ['gpt-4o-mini'],
  fallbacks: [],
  requires: ['EXTERNAL_OPENAI_KEY'],
  enabled: true,
  ...overrides,
});

const known = { EXTERNAL_OPENAI_KEY: undefined, EXTERNAL_OPENAI_BASE_URL: undefined, VLLM_BASE_URL: undefined, VLLM_MODEL: undefined };

describe('resolveSeed', () => {
  it('leaves out an entry whose required variable is unset, saying which one', () => {
    const result = resolveSeed([entry({})], known, 'models.yaml');
    expect(result.models).toEqual([]);
    expect(result.skipped).toEqual([{ name: 'openai/gpt-4o-mini', missing: ['EXTERNAL_OPENAI_KEY'] }]);
  });

  it('offers an entry whose requirements are set, with the default base URL and pricing per million tokens', () => {
    const { models } = resolveSeed([entry({})], { ...known, EXTERNAL_OPENAI_KEY: 'sk-x' }, 'models.yaml');
    expect(models).toEqual([
      {
        name: 'openai/gpt-4o-mini',
        provider: 'openai',
        kind: 'hosted',
        protocol: 'openai',
        baseUrl: 'https://api.openai.com/v1',
        upstreamModel: 'gpt-4o-mini',
        contextWindow: 128000,
        pricing: { promptPerMTok: 0.15, completionPerMTok: 0.6 },
        modalities: null,
        aliases: ['gpt-4o-mini'],
        fallbacks: [],
        enabled: true,
      },
    ]);
  });

  it('follows EXTERNAL_<PROVIDER>_BASE_URL when it is set, without a trailing slash', () => {
    const env = { ...known, EXTERNAL_OPENAI_KEY: 'sk-x', EXTERNAL_OPENAI_BASE_URL: 'http://proxy.internal:8080/v1/' };
    expect(resolveSeed([entry({})], env, 'models.yaml').models[0]?.baseUrl).toBe('http://proxy.internal:8080/v1');
  });

  it('expands variables in the name and upstream model of self-hosted entries', () => {
    const vllm = entry({
      name: 'vllm/${VLLM_MODEL:-qwen}',
      provider: 'vllm',
      kind: 'vllm',
      base_url: '${VLLM_BASE_URL}',
      upstream_model: '${VLLM_MODEL:-qwen}',
      aliases: [],
      requires: ['VLLM_BASE_URL'],
    });
    const env = { ...known, VLLM_BASE_URL: 'http://gpu:8000/v1', VLLM_MODEL: 'mistral-7b' };
    expect(resolveSeed([vllm], env, 'models.yaml').models[0]).toMatchObject({
      name: 'vllm/mistral-7b',
      upstreamModel: 'mistral-7b',
      baseUrl: 'http://gpu:8000/v1',
    });
  });

  it('stops on a variable the registry does not know, naming it', () => {
    expect(() => resolveSeed([entry({ requires: ['EXTERNAL_OPENAI_KYE'] })], known, 'models.yaml')).toThrow(
      /unknown variable EXTERNAL_OPENAI_KYE/,
    );
  });

  it('stops on a placeholder that is unset and has no default', () => {
    const e = entry({ base_url: '${EXTERNAL_OPENAI_BASE_URL}' });
    expect(() => resolveSeed([e], { ...known, EXTERNAL_OPENAI_KEY: 'sk-x' }, 'models.yaml')).toThrow(
      /uses \$\{EXTERNAL_OPENAI_BASE_URL\}, which is not set/,
    );
  });

  it('stops when a name does not start with its provider or the base URL is not http(s)', () => {
    const env = { ...known, EXTERNAL_OPENAI_KEY: 'sk-x' };
    expect(() => resolveSeed([entry({ name: 'gpt-4o-mini' })], env, 'm.yaml')).toThrow(/name must be "openai\/<model>"/);
    expect(() => resolveSeed([entry({ base_url: 'ftp://x' })], env, 'm.yaml')).toThrow(/base_url must be an http\(s\) URL/);
  });

  it('stops when two offered models claim the same name or alias', () => {
    const env = { ...known, EXTERNAL_OPENAI_KEY: 'sk-x' };
    const twice = [entry({}), entry({ name: 'openai/gpt-4o', upstream_model: 'gpt-4o', aliases: ['GPT-4o-mini'] })];
    expect(() => resolveSeed(twice, env, 'm.yaml')).toThrow(SeedFileError);
    expect(() => resolveSeed(twice, env, 'm.yaml')).toThrow(/"gpt-4o-mini" is claimed by both openai\/gpt-4o-mini and openai\/gpt-4o/);
  });

  it('accepts the shipped config/models.yaml and offers every entry when every provider is configured', () => {
    const file = path.join(__dirname, '../../../../config/models.yaml');
    const env: Record<string, string | undefined> = Object.fromEntries(Object.keys(providerConfigShape).map((v) => [v, undefined]));
    for (const v of Object.keys(env)) if (v.endsWith('_KEY')) env[v] = 'key';
    Object.assign(env, { VLLM_BASE_URL: 'http://v:8000/v1', LLMD_ENDPOINT: 'http://l', OLLAMA_BASE_URL: 'http://o:11434/v1' });
    const { models, skipped } = resolveSeed(parseSeedFile(readFileSync(file, 'utf8'), file), env, file);
    expect(skipped).toEqual([]);
    expect(models.find((m) => m.aliases.includes('gpt-4o-mini'))?.name).toBe('openai/gpt-4o-mini');
    expect(models.find((m) => m.provider === 'llm-d')).toMatchObject({
      name: 'llm-d/meta-llama/Llama-3.1-8B-Instruct',
      baseUrl: 'http://l/v1',
    });
  });
});
