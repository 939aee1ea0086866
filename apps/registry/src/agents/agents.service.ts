import {
  agentChatSubject,
  BusError,
  SUBJECTS,
  TypedBus,
  type AgentFreshness,
  type AgentHeartbeat,
  type AgentRecord,
  type AgentsChangedEvent,
  type AgentsListRequest,
  type AgentsListResponse,
} from '@iir/contracts';
import { createHash, timingSafeEqual } from 'node:crypto';
import { JsonLogger } from '@iir/platform';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AgentCredentials } from './agent-credentials';
import { AGENT_SETTINGS, type AgentSettings } from './agent-settings';
import { parseHeartbeat, parseRegistration } from './agent-validation';
import { AgentsRepository, type StoredAgent } from './agents.repository';

/** One agent as this registry sees it: the stored registration plus what its heartbeats said. */
interface LiveAgent {
  stored: StoredAgent;
  live: Pick<AgentHeartbeat, 'queueLength' | 'inFlight' | 'loadedModels' | 'state'>;
  lastHeartbeatAt: string | null;
  /** Epoch ms of the last registration or heartbeat. */
  lastSeenMs: number;
  /** Epoch ms of the last time `last_seen_at` was written. */
  persistedSeenMs: number;
  freshness: AgentFreshness;
}

/**
 * Agents' registrations and liveness. Registrations are written to the `agents` table before they
 * are answered; heartbeats (every few seconds per agent) only update memory, and the agent's
 * last-seen time is written at most once a minute — a heartbeat costs no database write, and a
 * restarted registry still knows every registered agent (as stale until it beats again).
 *
 * A sweep marks agents stale when they go quiet for `staleAfterMs`; every change of freshness,
 * and every registration, publishes `registry.agents.changed`. The live view is this process's: run
 * one registry replica for agents (heartbeats are requests, answered by one replica).
 */
@Injectable()
export class AgentsService implements OnModuleInit, OnModuleDestroy {
  private readonly agents = new Map<string, LiveAgent>();
  private version = 0;
  private sweeper: NodeJS.Timeout | undefined;
  // Bus handlers are bound before `onModuleInit` runs: early calls wait for the table to load.
  private readonly loaded: Promise<void>;
  private settle!: (error?: unknown) => void;

  constructor(
    private readonly repository: AgentsRepository,
    private readonly bus: TypedBus,
    private readonly logger: JsonLogger,
    @Inject(AGENT_SETTINGS) private readonly settings: AgentSettings,
    private readonly credentials: AgentCredentials,
  ) {
    this.loaded = new Promise<void>((resolve, reject) => {
      this.settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    this.loaded.catch(() => undefined);
  }

  async onModuleInit(): Promise<void> {
    try {
      for (const stored of await this.repository.all()) {
        const seen = stored.lastSeenAt ? Date.parse(stored.lastSeenAt) : 0;
        this.agents.set(stored.agentId, {
          stored,
          live: { queueLength: 0, inFlight: 0, loadedModels: [], state: {} },
          lastHeartbeatAt: null,
          lastSeenMs: seen,
          persistedSeenMs: seen,
          freshness: 'stale',
        });
      }
      this.bump();
      this.settle();
    } catch (error) {
      this.settle(error ?? new Error('loading agents failed'));
      throw error;
    }
    this.sweeper = setInterval(() => this.sweep(), this.settings.sweepMs);
    this.sweeper.unref();
    this.logger.write('info', 'agents loaded', { count: this.agents.size, staleAfterMs: this.settings.staleAfterMs });
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /**
   * Idempotent: the same id replaces what it serves and keeps its first registration time.
   * One at a time: the chat-subject clash check and the write must not interleave.
   */
  register(payload: unknown): Promise<AgentRecord> {
    const next = this.registrations.then(() => this.registerNow(payload));
    this.registrations = next.catch(() => undefined);
    return next;
  }

  private registrations: Promise<unknown> = Promise.resolve();

  private async registerNow(payload: unknown): Promise<AgentRecord> {
    await this.loaded;
    const request = parseRegistration(payload);
    await this.credentials.check(request.agentId, credentialOf(payload));
    const subject = agentChatSubject(request.agentId);
    for (const other of this.agents.keys()) {
      if (other !== request.agentId && agentChatSubject(other) === subject) {
        throw new BusError('invalid_request_error', `'agentId' ${request.agentId} would share the chat subject of agent ${other}.`, {
          param: 'agentId',
        });
      }
    }
    const now = Date.now();
    const at = new Date(now).toISOString();
    const existing = this.agents.get(request.agentId);
    const tokenHash = request.instanceToken === undefined ? null : hashToken(request.instanceToken);
    // A live agent's id stays its own; once it is stale, a new instance may take it over.
    if (existing && now - existing.lastSeenMs <= this.settings.staleAfterMs && !sameToken(existing.stored.instanceTokenHash, tokenHash)) {
      this.logger.write('warn', 'agent registration refused: instance token does not match', { agentId: request.agentId });
      throw new BusError(
        'permission_denied',
        `Agent '${request.agentId}' is registered by another running instance (the instance token does not match); send the same token, or wait until it has been silent for ${this.settings.staleAfterMs} ms.`,
        { param: 'instanceToken' },
      );
    }
    const stored = await this.repository.upsert({
      agentId: request.agentId,
      models: request.models,
      hardware: request.hardware,
      maxConcurrency: request.maxConcurrency,
      version: request.version,
      registeredAt: existing?.stored.registeredAt ?? at,
      updatedAt: at,
      lastSeenAt: at,
      instanceTokenHash: tokenHash,
      url: request.url ?? null,
    });
    const agent: LiveAgent = {
      stored,
      live: existing?.live ?? { queueLength: 0, inFlight: 0, loadedModels: [], state: {} },
      lastHeartbeatAt: existing?.lastHeartbeatAt ?? null,
      lastSeenMs: now,
      persistedSeenMs: now,
      freshness: 'fresh',
    };
    this.agents.set(request.agentId, agent);
    this.changed(request.agentId, 'registered');
    this.logger.write('info', 'agent registered', {
      agentId: request.agentId,
      models: stored.models,
      version: stored.version,
      again: existing !== undefined,
    });
    return toRecord(agent);
  }

  /** Updates the live fields; an unknown agent is `not_found`, so it knows to register again. */
  async heartbeat(payload: unknown): Promise<AgentRecord> {
    await this.loaded;
    const beat = parseHeartbeat(payload);
    await this.credentials.check(beat.agentId, credentialOf(payload));
    const agent = this.agents.get(beat.agentId);
    if (!agent) {
      throw new BusError('not_found', `No agent '${beat.agentId}' is registered; register it first.`, { param: 'agentId' });
    }
    const beatHash = beat.instanceToken === undefined ? null : hashToken(beat.instanceToken);
    if (agent.stored.instanceTokenHash !== null && !sameToken(agent.stored.instanceTokenHash, beatHash)) {
      throw new BusError(
        'permission_denied',
        `Agent '${beat.agentId}' was registered with another instance token; heartbeats must send the token it registered with.`,
        { param: 'instanceToken' },
      );
    }
    const now = Date.now();
    agent.live = { queueLength: beat.queueLength, inFlight: beat.inFlight, loadedModels: beat.loadedModels, state: beat.state };
    agent.lastHeartbeatAt = new Date(now).toISOString();
    agent.lastSeenMs = now;
    if (agent.freshness === 'stale') {
      agent.freshness = 'fresh';
      this.changed(beat.agentId, 'fresh');
      this.logger.write('info', 'agent fresh again', { agentId: beat.agentId });
    }
    if (now - agent.persistedSeenMs >= this.settings.persistLastSeenMs) {
      agent.persistedSeenMs = now;
      this.repository.touch(beat.agentId, agent.lastHeartbeatAt).catch((error: unknown) => {
        this.logger.write('warn', 'could not write an agent’s last-seen time', { agentId: beat.agentId, err: error });
      });
    }
    return toRecord(agent);
  }

  /** Fresh agents (and stale ones with `includeStale`), freshness as of now. */
  async list(request: AgentsListRequest = {}): Promise<AgentsListResponse> {
    await this.loaded;
    this.sweep();
    const agents: AgentRecord[] = [];
    for (const agent of this.agents.values()) {
      if (agent.freshness === 'fresh' || request.includeStale === true) agents.push(toRecord(agent));
    }
    agents.sort((a, b) => a.agentId.localeCompare(b.agentId));
    return { agents, version: this.version };
  }

  /** Marks agents that went quiet as stale. */
  sweep(now = Date.now()): void {
    for (const [id, agent] of this.agents) {
      if (agent.freshness === 'fresh' && now - agent.lastSeenMs > this.settings.staleAfterMs) {
        agent.freshness = 'stale';
        this.changed(id, 'stale');
        this.logger.write('info', 'agent stale', { agentId: id, silentMs: now - agent.lastSeenMs });
      }
    }
  }

  private changed(agentId: string, reason: AgentsChangedEvent['reason']): void {
    this.bus.publish(SUBJECTS.registry.agentsChanged, { agentId, reason, version: this.bump() });
  }

  /** The wall clock in ms, but always above the previous one, so it keeps growing across restarts. */
  private bump(): number {
    this.version = Math.max(this.version + 1, Date.now());
    return this.version;
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Constant time; an agent registered without a token matches any registration (older agents). */
function sameToken(stored: string | null, presented: string | null): boolean {
  if (stored === null) return true;
  if (presented === null) return false;
  return timingSafeEqual(Buffer.from(stored, 'hex'), Buffer.from(presented, 'hex'));
}

function toRecord(agent: LiveAgent): AgentRecord {
  const { stored, live } = agent;
  return {
    agentId: stored.agentId,
    models: [...stored.models],
    hardware: { ...stored.hardware },
    maxConcurrency: stored.maxConcurrency,
    version: stored.version,
    queueLength: live.queueLength,
    inFlight: live.inFlight,
    loadedModels: [...live.loadedModels],
    state: { ...live.state },
    registeredAt: stored.registeredAt,
    lastHeartbeatAt: agent.lastHeartbeatAt,
    freshness: agent.freshness,
    ...(stored.url ? { url: stored.url } : {}),
  };
}

/** The credential travels beside the registration, never inside what is stored or answered. */
function credentialOf(payload: unknown): unknown {
  return typeof payload === 'object' && payload !== null ? (payload as { credential?: unknown }).credential : undefined;
}
