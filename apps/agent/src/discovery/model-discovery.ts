import { background } from '@iir/platform';
import type { AgentBackend, LocalModel } from '../backends/backend';

export interface ModelDiscoveryOptions {
  backends: readonly AgentBackend[];
  /** How often every backend is asked again (`AGENT_DISCOVERY_MS`). */
  intervalMs: number;
  onError?: (error: unknown) => void;
}

/**
 * What the agent serves, kept current: every backend's models at start and every interval, merged
 * (a name two backends serve goes to the first in `AGENT_BACKENDS`), and a change — a model that
 * appeared, vanished, loaded or unloaded — reported at once so the agent re-registers.
 */
export class ModelDiscovery {
  private models: Array<{ model: LocalModel; backend: AgentBackend }> = [];
  private readonly listeners: Array<(models: LocalModel[]) => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private fingerprint = '';
  private refreshing: Promise<void> | undefined;

  constructor(private readonly options: ModelDiscoveryOptions) {}

  current(): LocalModel[] {
    return this.models.map((m) => m.model);
  }

  find(name: string): { model: LocalModel; backend: AgentBackend } | undefined {
    // The gateway sends the target's upstream model: the registry name, its bare id, or the backend's own id.
    const wanted = name.toLowerCase();
    return (
      this.models.find((m) => m.model.name === wanted) ??
      this.models.find((m) => m.model.name === `local/${wanted}`) ??
      this.models.find((m) => m.model.id.toLowerCase() === wanted)
    );
  }

  onChange(listener: (models: LocalModel[]) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.stop();
    const tick = (): void => background(() => this.refresh(), (error) => this.options.onError?.(error));
    tick();
    this.timer = setInterval(tick, this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round of asking every backend; concurrent callers share it. */
  refresh(): Promise<void> {
    this.refreshing ??= this.collect().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async collect(): Promise<void> {
    const lists = await Promise.all(this.options.backends.map(async (backend) => ({ backend, models: await backend.models().catch(() => []) })));
    const merged: Array<{ model: LocalModel; backend: AgentBackend }> = [];
    const seen = new Set<string>();
    for (const { backend, models } of lists) {
      for (const model of models) {
        if (seen.has(model.name)) continue;
        seen.add(model.name);
        merged.push({ model, backend });
      }
    }
    merged.sort((a, b) => a.model.name.localeCompare(b.model.name));
    this.models = merged;
    const fingerprint = merged.map((m) => `${m.model.name}:${m.model.loaded ? 1 : 0}`).join(',');
    if (fingerprint === this.fingerprint) return;
    this.fingerprint = fingerprint;
    const models = this.current();
    for (const listener of this.listeners) listener(models);
  }
}
