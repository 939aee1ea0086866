import { agentChatSubject, agentEmbedSubject, RegistryClient, type AgentHardware, type Bus } from '@iir/contracts';
import type { JsonLogger } from '@iir/platform';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { AgentMetrics } from './agent-metrics';
import type { AgentBackend, LocalModel } from './backends/backend';
import { AgentPresence } from './presence/agent-presence';
import { BusRegistrationChannel, HttpRegistrationChannel, type RegistrationChannel } from './presence/registration-channel';
import { validateChat, validateEmbeddings } from './serving/chat-validation';
import type { InferenceService } from './serving/inference.service';
import type { ModelDirectory } from './serving/model-directory';
import type { Scheduler } from './serving/scheduler';

/** Discovery as the runtime drives it: the model directory, kept current. */
export interface Discovery extends ModelDirectory {
  start(): void;
  refresh(): Promise<void>;
  stop(): void;
  onChange(listener: (models: LocalModel[]) => void): void;
}

/** The machine, as heartbeats tell it. */
export interface MachineProbe {
  state(): Promise<Record<string, string | number | boolean>>;
  hardware(): Promise<AgentHardware>;
  /** Stops what reading the machine keeps running (a helper process). */
  close?(): void;
}

export interface RuntimeSettings {
  agentId: string;
  version: string;
  heartbeatMs: number;
  credential?: string;
  /** HTTP mode when set and the agent has no bus of its own (NATS_URL unset, not embedded). */
  routerUrl?: string;
  /** HTTP mode: `AGENT_PUBLIC_URL`, else http://<host name>:<the port bound>. */
  publicUrl?: () => string | undefined;
  /** `bus` when NATS_URL is set or the agent runs in the one-process launcher. */
  transport: 'bus' | 'http';
}

/**
 * The agent's moving parts in their order: discovery finds models, the chat subject serves them,
 * presence registers and heartbeats, and all of it stops in reverse on shutdown. A backend or the
 * registry being away is logged and retried, never a crash.
 */
export class AgentRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  private presence: AgentPresence | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly settings: RuntimeSettings,
    private readonly bus: Bus,
    private readonly backends: AgentBackend[],
    private readonly discovery: Discovery,
    private readonly inference: InferenceService,
    private readonly scheduler: Scheduler,
    private readonly probe: MachineProbe,
    private readonly metrics: AgentMetrics,
    private readonly logger: JsonLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const channel = this.channel();
    this.presence = new AgentPresence(
      channel,
      {
        models: () => this.discovery.current(),
        hardware: () => this.probe.hardware(),
        heartbeat: () => this.heartbeat(),
      },
      {
        agentId: this.settings.agentId,
        version: this.settings.version,
        heartbeatMs: this.settings.heartbeatMs,
        maxConcurrency: this.scheduler.parallel,
        ...(this.settings.credential ? { credential: this.settings.credential } : {}),
        ...(channel.kind === 'http' && this.settings.publicUrl ? { url: this.settings.publicUrl } : {}),
      },
      this.logger,
    );
    if (channel.kind === 'bus') {
      const inference = this.inference;
      const subscription = this.bus.handleStream(agentChatSubject(this.settings.agentId), (payload, ctx) => inference.chat(validateChat(payload), ctx.signal));
      const embeddings = this.bus.handle(agentEmbedSubject(this.settings.agentId), (payload, ctx) => inference.embed(validateEmbeddings(payload), ctx.signal));
      this.unsubscribe = () => {
        subscription.unsubscribe();
        embeddings.unsubscribe();
      };
    }
    let names = '';
    this.discovery.onChange((models) => {
      this.updateModelGauges(models);
      // A model loading or unloading goes out with the next heartbeat; a new or vanished one at once.
      const now = models.map((m) => m.name).join(',');
      if (now !== names) this.presence?.modelsChanged();
      names = now;
    });
    // Register once the first look at the backends is done, so the first registration is complete.
    this.discovery.start();
    await this.discovery.refresh().catch(() => undefined);
    this.presence.start();
    this.logger.write('info', 'agent started', {
      agentId: this.settings.agentId,
      transport: channel.kind,
      backends: this.backends.map((b) => b.kind),
      parallel: this.scheduler.parallel,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.presence?.stop();
    this.discovery.stop();
    this.probe.close?.();
    this.unsubscribe?.();
    for (const backend of this.backends) await backend.close().catch(() => undefined);
  }

  /** Whether the registry has accepted this agent (for `/health`). */
  get registered(): boolean {
    return this.presence?.isRegistered ?? false;
  }

  private channel(): RegistrationChannel {
    if (this.settings.transport === 'http' && this.settings.routerUrl) return new HttpRegistrationChannel(this.settings.routerUrl, this.settings.credential);
    return new BusRegistrationChannel(new RegistryClient(this.bus));
  }

  private async heartbeat(): Promise<{ queueLength: number; inFlight: number; state: Record<string, string | number | boolean> }> {
    const machine = await this.probe.state();
    const recent = this.inference.recent();
    this.updateStateGauges(machine);
    return {
      queueLength: this.scheduler.queueLength,
      inFlight: this.scheduler.inFlight,
      state: {
        ...machine,
        free_slots: this.scheduler.freeSlots,
        ...(recent.tokensPerSecond !== undefined ? { tokens_per_s: round(recent.tokensPerSecond) } : {}),
        ...(recent.ttftMs !== undefined ? { ttft_ms: round(recent.ttftMs) } : {}),
        backends: this.backends.map((b) => `${b.kind}:${b.status().up ? 'up' : 'down'}`).join(','),
      },
    };
  }

  private updateStateGauges(state: Record<string, string | number | boolean>): void {
    this.metrics.state.reset();
    for (const [field, value] of Object.entries(state)) {
      if (typeof value === 'number') this.metrics.state.set({ field, value: '' }, value);
      else this.metrics.state.set({ field, value: String(value) }, 1);
    }
  }

  private updateModelGauges(models: LocalModel[]): void {
    this.metrics.modelLoaded.reset();
    for (const m of models) this.metrics.modelLoaded.set({ model: m.name, backend: m.backend }, m.loaded ? 1 : 0);
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

