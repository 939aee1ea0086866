import { covers, withinCeilings } from './registration-ceilings';

const ceilings = { keyless: true, maxPriority: 1, maxRpm: 60, maxTpm: null, allowedModels: ['local/*', 'fake/echo'] };

describe('registration ceilings', () => {
  it('admits only globs provably inside a ceiling glob', () => {
    expect(covers('local/*', 'local/*')).toBe(true);
    expect(covers('local/*', 'local/llama*')).toBe(true);
    expect(covers('local/*', 'local/a?')).toBe(true);
    expect(covers('local/*', '*')).toBe(false);
    expect(covers('local/?', 'local/*')).toBe(false);
    expect(covers('local/?', 'local/a')).toBe(true);
    expect(covers('fake/echo', 'fake/echo*')).toBe(false);
    expect(covers('a.b', 'axb')).toBe(false);
  });

  it('fills left-out limits from the ceilings and refuses what is above them, naming the field', () => {
    expect(withinCeilings({}, ceilings)).toEqual({ role: 'user', rpm: 60, tpm: undefined, allowedModels: ['local/*', 'fake/echo'] });
    expect(withinCeilings({ rpm: 10, allowedModels: ['local/x'] }, ceilings)).toMatchObject({ rpm: 10, allowedModels: ['local/x'] });
    expect(() => withinCeilings({ role: 'admin' }, ceilings)).toThrow(expect.objectContaining({ code: 'permission_denied', options: { param: 'role' } }));
    expect(() => withinCeilings({ priority: 2 }, ceilings)).toThrow(expect.objectContaining({ options: { param: 'priority' } }));
    expect(() => withinCeilings({ rpm: 61 }, ceilings)).toThrow(expect.objectContaining({ options: { param: 'rpm' } }));
    expect(() => withinCeilings({ allowedModels: ['openai/*'] }, ceilings)).toThrow(expect.objectContaining({ options: { param: 'allowed_models' } }));
  });
});
