import { randomBytes } from 'node:crypto';
import { BusError, type AgentHardware, type AgentHeartbeat, type AgentRegisterRequest } from '@iir/contracts';
import { background, type JsonLogger } from '@iir/platform';
import type { LocalModel } from '../backends/backend';
import type { RegistrationChannel } from './registration-channel';

export interface PresenceOptions {
  agentId: string;
  version: string;
  heartbeatMs: number;
  maxConcurrency: number;
  /** The agent's credential (an agent key): sent with every registration and heartbeat, never logged. */
  credential?: string;
  /** HTTP mode: where the gateway reaches this agent's API (known once the server listens). */
  url?: () => string | undefined;
  /** Longest wait between registration attempts while the registry is away. */
  maxBackoffMs?: number;
}

export interface PresenceSources {
  models(): LocalModel[];
  hardware(): Promise<AgentHardware>;
  /** Queue, slots and the machine's state, read at each heartbeat. */
  heartbeat(): Promise<Pick<AgentHeartbeat, 'queueLength' | 'inFlight' | 'state'>>;
}

type Wire<T> = T & { credential?: string; url?: string };

/**
 * Keeps the registry told: registers (retrying with backoff while NATS or the registry is away),
 * heartbeats every `heartbeatMs`, registers again at once when the models change or the registry
 * forgot the agent. Nothing here throws into a timer: failures are logged once per change of state.
 */
export class AgentPresence {
  /** Made at start: while this process is live, no other process can take its id (see the registry). */
  private readonly instanceToken = randomBytes(32).toString('hex');
  private timer: NodeJS.Timeout | undefined;
  private registered = false;
  private stopped = true;
  private backoffMs = 250;
  private lastProblem: string | undefined;
  private beating = false;

  constructor(
    private readonly channel: RegistrationChannel,
    private readonly sources: PresenceSources,
    private readonly options: PresenceOptions,
    private readonly logger: JsonLogger,
  ) {}

  get isRegistered(): boolean {
    return this.registered;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** The served models changed: say so now rather than at the next heartbeat. */
  modelsChanged(): void {
    this.registered = false;
    if (!this.stopped && !this.beating) this.schedule(0);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => background(() => this.tick(), (error) => this.problem('agent presence failed', error)), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.beating = true;
    try {
      if (!this.registered) await this.register();
      else await this.beat();
      this.backoffMs = 250;
      this.schedule(this.options.heartbeatMs);
    } catch (error) {
      const code = BusError.from(error).code;
      if (code === 'not_found') this.registered = false;
      this.problem(this.registered ? 'heartbeat failed' : 'registration failed', error);
      // Refused (no or a wrong credential) is not going to fix itself quickly: back off to the cap.
      const refused = code === 'invalid_api_key' || code === 'permission_denied';
      this.backoffMs = refused ? (this.options.maxBackoffMs ?? 30_000) : Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 30_000);
      this.schedule(this.registered ? this.options.heartbeatMs : this.backoffMs);
    } finally {
      this.beating = false;
    }
  }

  private async register(): Promise<void> {
    const models = this.sources.models().map((m) => m.name);
    const registration: Wire<AgentRegisterRequest> = {
      agentId: this.options.agentId,
      models,
      hardware: await this.sources.hardware(),
      maxConcurrency: this.options.maxConcurrency,
      version: this.options.version,
      instanceToken: this.instanceToken,
      ...(this.options.credential ? { credential: this.options.credential } : {}),
      ...(this.options.url ? { url: this.listeningUrl(this.options.url) } : {}),
    };
    await this.channel.register(registration);
    this.registered = true;
    this.recovered(`registered ${models.length} model${models.length === 1 ? '' : 's'} over ${this.channel.kind}`, { models });
    await this.beat();
  }

  private listeningUrl(url: () => string | undefined): string {
    const known = url();
    if (!known) throw new BusError('service_unavailable', 'the agent API is not listening yet');
    return known;
  }

  private async beat(): Promise<void> {
    const now = await this.sources.heartbeat();
    const heartbeat: Wire<AgentHeartbeat> = {
      agentId: this.options.agentId,
      ...now,
      loadedModels: this.sources.models().filter((m) => m.loaded).map((m) => m.name),
      sentAt: new Date().toISOString(),
      instanceToken: this.instanceToken,
      ...(this.options.credential ? { credential: this.options.credential } : {}),
    };
    await this.channel.heartbeat(heartbeat);
  }

  private problem(message: string, error: unknown): void {
    const text = `${message}: ${BusError.from(error).message}`;
    if (text === this.lastProblem) return;
    this.lastProblem = text;
    this.logger.write('warn', message, { agentId: this.options.agentId, err: BusError.from(error).message, retryInMs: this.backoffMs });
  }

  private recovered(message: string, fields: Record<string, unknown>): void {
    this.lastProblem = undefined;
    this.logger.write('info', message, { agentId: this.options.agentId, ...fields });
  }
}
