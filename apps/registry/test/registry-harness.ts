import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RegistryClient, type AgentsChangedEvent, type RegistryChangedEvent, type Subscription } from '@iir/contracts';
import { NatsBus, startService, type RunningService } from '@iir/platform';
import { REPO_ROOT, requireService, TEST_NATS_URL, uniquePrefix } from '@iir/testing';
import { registryService } from '../src/registry.service-definition';

/**
 * The real registry over a real NATS, on a data directory and seed file of its own, restartable
 * on the same database and subject prefix; plus a client and every `registry.models.changed` seen.
 */
export class RegistryHarness {
  dir = '';
  readonly prefix = uniquePrefix('reg');
  readonly changes: RegistryChangedEvent[] = [];
  /** Every `registry.agents.changed` seen. */
  readonly agentChanges: AgentsChangedEvent[] = [];
  client!: RegistryClient;
  service: RunningService | undefined;
  bus!: NatsBus;
  private subscription: Subscription | undefined;
  private agentSubscription: Subscription | undefined;

  get seedFile(): string {
    return path.join(this.dir, 'models.yaml');
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.service?.port ?? 0}`;
  }

  async setUp(): Promise<this> {
    await requireService('NATS', TEST_NATS_URL);
    this.dir = await mkdtemp(path.join(tmpdir(), 'registry-'));
    this.bus = await NatsBus.connect({ servers: TEST_NATS_URL, subjectPrefix: this.prefix });
    this.client = new RegistryClient(this.bus, 5_000);
    this.subscription = this.client.onChanged((event) => {
      this.changes.push(event);
    });
    this.agentSubscription = this.client.onAgentsChanged((event) => {
      this.agentChanges.push(event);
    });
    await this.bus.connection.flush();
    return this;
  }

  writeSeed(yaml: string): Promise<void> {
    return writeFile(this.seedFile, yaml);
  }

  /** A fake `nvidia-smi` in this harness's directory that prints `output`; its path is the answer. */
  async fakeNvidiaSmi(output: string): Promise<string> {
    const bin = path.join(this.dir, 'bin');
    await mkdir(bin, { recursive: true });
    const script = path.join(bin, 'nvidia-smi');
    await writeFile(script, `#!/bin/sh\ncat <<'OUT'\n${output}\nOUT\n`, { mode: 0o755 });
    return script;
  }

  /** The settings every start gets; `env` adds to or overrides them. */
  env(env: Record<string, string | undefined> = {}): Record<string, string | undefined> {
    return {
      NATS_URL: TEST_NATS_URL,
      NATS_SUBJECT_PREFIX: this.prefix,
      REGISTRY_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      IIR_DATA_DIR: path.join(this.dir, 'data'),
      REGISTRY_SEED_FILE: this.seedFile,
      REGISTRY_MODEL_CATALOG: path.join(REPO_ROOT, 'config/model-catalog.yaml'),
      LOG_LEVEL: 'error',
      ...env,
    };
  }

  async start(env: Record<string, string | undefined> = {}): Promise<RunningService> {
    await this.stop();
    this.service = await startService(registryService, this.env(env));
    return this.service;
  }

  async stop(): Promise<void> {
    const running = this.service;
    this.service = undefined;
    await running?.close();
  }

  async tearDown(): Promise<void> {
    await this.stop();
    this.subscription?.unsubscribe();
    this.agentSubscription?.unsubscribe();
    await this.bus?.drain();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

/** One seed entry as YAML, with the fields a test does not care about filled in. */
export function seedEntry(fields: {
  name: string;
  requires?: string[];
  aliases?: string[];
  baseUrl?: string;
  enabled?: boolean;
}): string {
  const [provider = '', model = ''] = fields.name.split('/');
  return [
    `  - name: ${fields.name}`,
    `    provider: ${provider}`,
    `    kind: hosted`,
    `    protocol: openai`,
    `    base_url: ${fields.baseUrl ?? `https://${provider}.example/v1`}`,
    `    upstream_model: ${model}`,
    `    context_window: 8192`,
    `    pricing: { prompt: 0.5, completion: 1.5 }`,
    `    aliases: [${(fields.aliases ?? []).join(', ')}]`,
    `    fallbacks: []`,
    `    requires: [${(fields.requires ?? []).join(', ')}]`,
    ...(fields.enabled === undefined ? [] : [`    enabled: ${fields.enabled}`]),
  ].join('\n');
}

export function seedFile(...entries: string[]): string {
  return `models:\n${entries.join('\n')}\n`;
}
