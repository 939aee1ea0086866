import { parseSeedFile, SeedFileError } from './seed-file';

describe('parseSeedFile', () => {
  it('reads an entry and fills the optional fields with their defaults', () => {
    const [entry] = parseSeedFile(
      `models:\n  - name: openai/gpt-4o-mini\n    provider: openai\n    kind: hosted\n    protocol: openai\n    base_url: https://api.openai.com/v1\n    upstream_model: gpt-4o-mini\n`,
      'models.yaml',
    );
    expect(entry).toEqual({
      name: 'openai/gpt-4o-mini',
      provider: 'openai',
      kind: 'hosted',
      protocol: 'openai',
      base_url: 'https://api.openai.com/v1',
      upstream_model: 'gpt-4o-mini',
      context_window: null,
      pricing: null,
      modalities: null,
      aliases: [],
      fallbacks: [],
      requires: [],
      enabled: true,
    });
  });

  it('treats an empty file as an empty catalogue', () => {
    expect(parseSeedFile('', 'models.yaml')).toEqual([]);
  });

  it('names the file, the entry and the field of an invalid value', () => {
    const text = `models:\n  - name: x/y\n    provider: x\n    kind: cloud\n    protocol: openai\n    upstream_model: y\n`;
    expect(() => parseSeedFile(text, 'models.yaml')).toThrow(SeedFileError);
    expect(() => parseSeedFile(text, 'models.yaml')).toThrow(/models\.yaml: .*models\[0\] \(x\/y\)\.kind/s);
  });

  it('rejects unknown fields, so a misspelt key is not silently ignored', () => {
    const text = `models:\n  - name: x/y\n    provider: x\n    kind: hosted\n    protocol: openai\n    upstream_model: y\n    alias: [z]\n`;
    expect(() => parseSeedFile(text, 'models.yaml')).toThrow(/alias/);
  });

  it('reports YAML syntax errors with the file name', () => {
    expect(() => parseSeedFile('models: [\n', 'broken.yaml')).toThrow(/broken\.yaml: not valid YAML/);
  });
});
