import { BusError } from '@iir/contracts';
import { model } from '../../test/model-record';
import { Catalog } from '../catalog/catalog';
import { Planner } from './planner';

const catalog = new Catalog(7, [
  model('openai/gpt-4o-mini', { aliases: ['mini'], fallbacks: ['anthropic/claude-haiku', 'nope/missing', 'openai/gpt-4o-mini'] }),
  model('openai/gpt-4o'),
  model('anthropic/claude-haiku', { protocol: 'anthropic' }),
  model('deepseek/deepseek-chat'),
  model('openrouter/deepseek-chat'),
  model('openai/old', { enabled: false }),
  model('openrouter/meta-llama/llama-3.3-70b-instruct', { upstreamModel: 'meta-llama/llama-3.3-70b-instruct' }),
  model('openrouter/qwen-big', { upstreamModel: 'qwen/qwen-2.5-72b-instruct' }),
]);
const planner = new Planner(5_000);
const plan = (m: string, models?: string[]) => planner.plan(catalog, { requestId: 'r', model: m, stream: false, ...(models ? { models } : {}) });
const failure = (m: string): BusError => {
  try {
    plan(m);
  } catch (e) {
    return e as BusError;
  }
  throw new Error('expected a failure');
};

describe(Planner.name, () => {
  it('resolves an exact name, case-insensitively, then its registry fallbacks without duplicates or unknowns', () => {
    const p = plan('OpenAI/GPT-4o-mini');
    expect(p.targets.map((t) => t.model)).toEqual(['openai/gpt-4o-mini', 'anthropic/claude-haiku']);
    expect(p.targets[1]).toMatchObject({ protocol: 'anthropic', upstreamModel: 'claude-haiku' });
    expect(p).toMatchObject({ model: 'openai/gpt-4o-mini', policy: 'direct', cacheTtlMs: 5_000 });
    expect(p.reason).toContain('exact match');
    expect(p.reason).toContain('1 fallback');
  });

  it('resolves aliases and a bare id that only one provider serves', () => {
    expect(plan('mini').model).toBe('openai/gpt-4o-mini');
    expect(plan('gpt-4o').model).toBe('openai/gpt-4o');
  });

  it('refuses a bare id several providers serve, naming them', () => {
    const e = failure('deepseek-chat');
    expect(e.code).toBe('model_not_found');
    expect(e.details?.['suggestions']).toEqual(['deepseek/deepseek-chat', 'openrouter/deepseek-chat']);
  });

  it('names an unknown provider', () => {
    const e = failure('mistral/large');
    expect(e.code).toBe('model_not_found');
    expect(e.message).toContain("unknown provider 'mistral'");
  });

  it('names the variable that configures a well-known provider nobody set up', () => {
    const e = failure('gemini/gemini-2.0-flash');
    expect(e.code).toBe('model_not_found');
    expect(e.message).toContain("the provider 'gemini' is not configured. Set EXTERNAL_GEMINI_KEY");
    expect(e.details?.['variable']).toBe('EXTERNAL_GEMINI_KEY');
  });

  it('suggests the closest names for a typo', () => {
    const e = failure('openai/gpt-4o-mni');
    expect(e.message).toContain('Did you mean: openai/gpt-4o-mini');
    expect(e.details?.['suggestions']).toContain('openai/gpt-4o-mini');
  });

  it('resolves a bare id that holds a slash, or the upstream’s own id, when one provider serves it', () => {
    expect(plan('meta-llama/llama-3.3-70b-instruct').model).toBe('openrouter/meta-llama/llama-3.3-70b-instruct');
    expect(plan('Qwen/qwen-2.5-72b-instruct').model).toBe('openrouter/qwen-big');
    expect(plan('qwen/qwen-2.5-72b-instruct').reason).toContain("only provider serving 'qwen/qwen-2.5-72b-instruct'");
  });

  it('never resolves a name of a configured provider to another provider’s model', () => {
    // openai is configured; openrouter serves an `openai/…` upstream id: the name still means openai.
    const c = new Catalog(8, [model('openai/gpt-4o'), model('openrouter/gpt5', { upstreamModel: 'openai/gpt-5' })]);
    const e = (() => {
      try {
        planner.plan(c, { requestId: 'r', model: 'openai/gpt-5', stream: false });
      } catch (error) {
        return error as BusError;
      }
      throw new Error('expected a failure');
    })();
    expect(e.code).toBe('model_not_found');
    expect(planner.plan(c, { requestId: 'r', model: 'openrouter/gpt5', stream: false }).model).toBe('openrouter/gpt5');
  });

  it('answers a provider typo with the provider and the models it meant', () => {
    const e = failure('opnai/gpt-4o');
    expect(e.message).toContain("unknown provider 'opnai' (did you mean the provider 'openai'?)");
    expect(e.message).toContain('Did you mean: openai/gpt-4o');
    expect(e.details?.['suggestions']).toContain('openai/gpt-4o');
    const unconfigured = failure('gemnii/gemini-2.0-flash');
    expect(unconfigured.message).toContain("did you mean the provider 'gemini'?");
    expect(unconfigured.message).toContain('Its models need EXTERNAL_GEMINI_KEY');
    expect(unconfigured.details?.['variable']).toBe('EXTERNAL_GEMINI_KEY');
  });

  it('treats disabled models as unknown', () => {
    expect(failure('openai/old').code).toBe('model_not_found');
  });

  it('appends the request’s own models list after the registry fallbacks, skipping unknown ones', () => {
    const p = plan('openai/gpt-4o', ['nope/x', 'deepseek/deepseek-chat', 'openai/gpt-4o']);
    expect(p.targets.map((t) => t.model)).toEqual(['openai/gpt-4o', 'deepseek/deepseek-chat']);
  });

  it('uses the models list when the requested model is unknown, and fails when nothing resolves', () => {
    expect(plan('nope/x', ['openai/gpt-4o']).targets.map((t) => t.model)).toEqual(['openai/gpt-4o']);
    expect(() => plan('nope/x', ['nope/y'])).toThrow(BusError);
  });

  it('answers service_unavailable before the catalogue is loaded', () => {
    expect(() => planner.plan(Catalog.empty(), { requestId: 'r', model: 'x', stream: false })).toThrow(
      expect.objectContaining({ code: 'service_unavailable' }),
    );
  });
});
