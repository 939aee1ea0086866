import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonLogger } from '@iir/platform';
import { RoutingConfigService } from './routing-config.service';

describe(RoutingConfigService.name, () => {
  let dir: string;
  let file: string;
  const lines: string[] = [];
  const logger = new JsonLogger('router', 'info', (line) => void lines.push(line));
  const services: RoutingConfigService[] = [];
  const start = (): RoutingConfigService => {
    const s = new RoutingConfigService({ path: file, pollMs: 60_000 }, logger);
    services.push(s);
    s.onModuleInit();
    return s;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'iir-rc-'));
    file = join(dir, 'routing.yaml');
  });
  afterEach(() => {
    for (const s of services.splice(0)) s.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without a file there are no policies, and the file is picked up once it appears', () => {
    const s = start();
    expect(s.policies.list).toEqual([]);
    writeFileSync(file, 'policies:\n  - { model: local/*, policy: least-loaded }\n');
    s.reload('poll');
    expect(s.policies.for('local/x')?.policy).toBe('least-loaded');
  });

  it('refuses to start on a broken file, naming the field', () => {
    writeFileSync(file, 'policies:\n  - { model: a, policy: soft-offload, queue_threshold: 2 }\n');
    expect(() => start()).toThrow(/policies\[0\]\.offload_to/);
  });

  it('re-reads the file on SIGHUP; a broken one keeps the previous policies and reports the error', () => {
    writeFileSync(file, 'policies:\n  - { model: a/b, policy: hard-offload, offload_to: [c/d] }\n');
    const s = start();
    writeFileSync(file, 'policies:\n  - { model: a/b, policy: weighted, targets: [] }\n');
    process.emit('SIGHUP', 'SIGHUP');
    expect(s.policies.for('a/b')?.policy).toBe('hard-offload');
    expect(s.status.error).toMatch(/policies\[0\]\.targets: must list at least one target/);
    expect(lines.some((l) => l.includes('keeping the previous policies'))).toBe(true);
    writeFileSync(file, 'policies:\n  - { model: a/b, policy: least-loaded }\n');
    process.emit('SIGHUP', 'SIGHUP');
    expect(s.policies.for('a/b')?.policy).toBe('least-loaded');
    expect(s.status.error).toBeNull();
  });
});
