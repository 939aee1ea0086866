import { parseRoutingConfig } from './routing-config';

describe(parseRoutingConfig.name, () => {
  it('reads every policy, with soft-offload defaults, exact names before globs', () => {
    const p = parseRoutingConfig(`
policies:
  - { model: 'local/*', policy: least-loaded }
  - { model: local/llama, policy: soft-offload, offload_to: [openai/gpt-4o] }
  - { model: big/*, policy: hard-offload, offload_to: [openai/gpt-4o] }
`);
    expect(p.for('LOCAL/llama')).toEqual({ model: 'local/llama', policy: 'soft-offload', offloadTo: ['openai/gpt-4o'], queueThreshold: 4 });
    expect(p.for('local/qwen')?.policy).toBe('least-loaded');
    expect(p.for('openai/gpt-4o')).toBeUndefined();
  });

  it('names the offending field', () => {
    expect(() => parseRoutingConfig('policies:\n  - { model: a, policy: weighted, targets: [{ model: b, weight: -1 }] }')).toThrow(
      /policies\[0\]\.targets\[0\]\.weight/,
    );
    expect(() => parseRoutingConfig('policies:\n  - { model: a, policy: fastest }')).toThrow(/policies\[0\]\.policy/);
    expect(() => parseRoutingConfig('policies:\n  - { model: a, policy: hard-offload }')).toThrow(/policies\[0\]\.offload_to/);
    expect(() => parseRoutingConfig('policies:\n  - { model: a, policy: least-loaded, weight: 3 }')).toThrow(/weight/);
    expect(() => parseRoutingConfig('policies: [')).toThrow(/not valid YAML/);
  });

  it('an empty file means no policies', () => {
    expect(parseRoutingConfig('').list).toEqual([]);
  });
});
