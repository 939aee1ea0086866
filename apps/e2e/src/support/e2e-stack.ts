import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ServiceHealth, type ServiceName } from '@iir/contracts';
import {
  describeExit,
  TEST_NATS_URL,
  uniquePrefix,
  waitFor,
  type ExitStatus,
  type ServiceProcess,
  type ServiceProcesses,
} from '@iir/testing';

/** The services that run as separate processes in the e2e tests (the agent is optional and left out). */
export const SEPARATE_SERVICES = ['router', 'registry', 'auth', 'classifier', 'gateway'] as const;
export type SeparateService = (typeof SEPARATE_SERVICES)[number];

/** The version every e2e service reports, so tests can tell it came from our env. */
export const E2E_VERSION = '0.0.0-e2e';

const PORT_VARIABLES: Record<ServiceName, string> = {
  gateway: 'GATEWAY_PORT',
  router: 'ROUTER_PORT',
  registry: 'REGISTRY_PORT',
  auth: 'AUTH_PORT',
  classifier: 'CLASSIFIER_PORT',
  agent: 'AGENT_PORT',
};

type Env = Record<string, string | undefined>;

/**
 * What one test file's services share: a subject prefix of its own on the shared NATS, and a fresh
 * data directory (SQLite files, an empty registry seed). `dispose()` removes the directory.
 */
export class E2eWorkspace {
  readonly prefix: string;
  readonly dataDir: string;

  constructor(label: string) {
    this.prefix = uniquePrefix(`e2e${label}`);
    this.dataDir = mkdtempSync(path.join(os.tmpdir(), `iir-e2e-${label}-`));
    // An empty seed: the registry must not need one, and must not pick up the repository's.
    writeFileSync(this.seedFile, '');
  }

  get seedFile(): string {
    return path.join(this.dataDir, 'registry-seed.yaml');
  }

  /**
   * Settings common to every run: loopback only, every port 0 (the OS picks; the tests read the
   * bound port from the "listening" log line), data under the temp directory.
   */
  baseEnv(extra: Env = {}): Env {
    const ports = Object.fromEntries(Object.values(PORT_VARIABLES).map((name) => [name, '0']));
    return {
      ...ports,
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SERVICE_VERSION: E2E_VERSION,
      IIR_DATA_DIR: this.dataDir,
      REGISTRY_SEED_FILE: this.seedFile,
      ...extra,
    };
  }

  /** A service talking to the real NATS under this workspace's prefix. */
  natsEnv(extra: Env = {}): Env {
    return this.baseEnv({ NATS_URL: TEST_NATS_URL, NATS_SUBJECT_PREFIX: this.prefix, ...extra });
  }

  /** Embedded mode: no NATS_URL at all. */
  embeddedEnv(extra: Env = {}): Env {
    return this.baseEnv({ ...extra, NATS_URL: undefined });
  }

  dispose(): void {
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export interface Started {
  process: ServiceProcess;
  port: number;
}

/** Spawns one service over NATS and waits until it is listening and answering HTTP. */
export async function startOverNats(procs: ServiceProcesses, ws: E2eWorkspace, app: SeparateService): Promise<Started> {
  const proc = procs.spawn(app, { env: ws.natsEnv() });
  return { process: proc, port: await proc.waitForReady(app) };
}

/** Spawns the given services as separate processes over NATS, in parallel, and waits until all are ready. */
export async function startSeparately(
  procs: ServiceProcesses,
  ws: E2eWorkspace,
  apps: readonly SeparateService[] = SEPARATE_SERVICES,
): Promise<Record<SeparateService, Started>> {
  const started = await Promise.all(apps.map(async (app) => [app, await startOverNats(procs, ws, app)] as const));
  return Object.fromEntries(started) as Record<SeparateService, Started>;
}

export interface HttpAnswer {
  status: number;
  contentType: string;
  text: string;
}

/** GET on loopback with a timeout, never throwing on an HTTP error status. */
export async function httpGet(port: number, pathname: string): Promise<HttpAnswer> {
  const res = await fetch(`http://127.0.0.1:${port}${pathname}`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** The gateway's aggregate `/health` body. */
export interface GatewayHealth {
  status: 'ok' | 'error';
  missing: ServiceName[];
  services: ServiceHealth[];
}

export function parseJson<T>(answer: HttpAnswer): T {
  try {
    return JSON.parse(answer.text) as T;
  } catch {
    throw new Error(`expected JSON, got ${answer.status} ${answer.contentType}: ${answer.text.slice(0, 500)}`);
  }
}

/**
 * Polls the gateway's `/health` until `accept` says yes, then returns the answer. On timeout the
 * error carries the last answer and every process's output.
 */
export async function waitForGatewayHealth(
  port: number,
  accept: (status: number, body: GatewayHealth) => boolean,
  { timeoutMs, what, procs }: { timeoutMs: number; what: string; procs: ServiceProcesses },
): Promise<{ status: number; body: GatewayHealth }> {
  try {
    return await waitFor(
      async () => {
        const answer = await httpGet(port, '/health');
        const body = parseJson<GatewayHealth>(answer);
        if (accept(answer.status, body)) return { status: answer.status, body };
        throw new Error(`last answer: ${answer.status} ${answer.text}`);
      },
      { timeoutMs, intervalMs: 100, what },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${procs.describe()}`);
  }
}

/** Fails with the body and the processes' output when `answer` is not `expected`. */
export function expectStatus(answer: HttpAnswer, expected: number, ...context: Array<{ describe(): string }>): void {
  if (answer.status === expected) return;
  throw new Error(
    `expected HTTP ${expected}, got ${answer.status}: ${answer.text.slice(0, 1_000)}\n${context.map((c) => c.describe()).join('\n')}`,
  );
}

/** Fails with the process's output unless it exited by itself with code 0. */
export function expectCleanExit(proc: ServiceProcess, status: ExitStatus): void {
  if (status.code === 0 && status.signal === null) return;
  throw new Error(`expected ${proc.label} to exit with code 0, but it ${describeExit(status)}\n${proc.describe()}`);
}

/** Fails with the process's output unless it exited by itself with a non-zero code. */
export function expectFailedExit(proc: ServiceProcess, status: ExitStatus): void {
  if (status.signal === null && status.code !== null && status.code !== 0) return;
  throw new Error(`expected ${proc.label} to exit with a non-zero code, but it ${describeExit(status)}\n${proc.describe()}`);
}
