import { RegistryClient, type Bus, type Subscription } from '@iir/contracts';
import { background, BUS, HealthRegistry, JsonLogger } from '@iir/platform';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { routerMetrics } from '../metrics/router-metrics';
import { Catalog } from './catalog';

export const CATALOG_REFRESH_MS = Symbol('CATALOG_REFRESH_MS');

/**
 * Keeps the router's in-memory copy of the registry: loaded at start (retrying while the registry
 * is not up yet, without blocking start-up), reloaded on every `registry.models.changed` (every
 * router replica hears it), and refreshed periodically as a safety net. Plans never query the
 * registry.
 */
@Injectable()
export class CatalogService implements OnApplicationBootstrap, OnApplicationShutdown {
  private current = Catalog.empty();
  private readonly registry: RegistryClient;
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;
  private stopped = false;
  private warned = false;
  private failing = false;
  private readonly metrics = routerMetrics();

  constructor(
    @Inject(BUS) bus: Bus,
    @Inject(CATALOG_REFRESH_MS) private readonly refreshMs: number,
    private readonly logger: JsonLogger,
    health: HealthRegistry,
  ) {
    this.registry = new RegistryClient(bus);
    health.register({ name: 'catalog', critical: false, isUp: async () => this.current.version > 0 });
  }

  get catalog(): Catalog {
    return this.current;
  }

  onApplicationBootstrap(): void {
    this.subscription = this.registry.onChanged((event) => {
      if (event.version > this.current.version) background(() => this.refresh(), (error) => this.refreshFailed(error));
    });
    background(() => this.loadWithRetry(), (error) => this.refreshFailed(error));
    this.timer = setInterval(() => background(() => this.refresh(), (error) => this.refreshFailed(error)), this.refreshMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.subscription?.unsubscribe();
    clearInterval(this.timer);
  }

  /** Loads the catalogue now; concurrent calls share one load. */
  refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /**
   * A refresh that failed keeps the last catalogue (plans go on being made from it); logged once
   * until a load succeeds again, counted every time, retried by the next tick or change event.
   */
  private refreshFailed(error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.logger.write('warn', 'registry did not answer a catalogue refresh; keeping the last catalogue and retrying', {
      err: error instanceof Error ? error.message : String(error),
      models: this.current.size,
    });
  }

  private async load(): Promise<void> {
    const { models, version } = await this.registry.listModels().catch((error: unknown) => {
      this.metrics.catalogReloads.inc({ outcome: 'error' });
      throw error;
    });
    this.metrics.catalogReloads.inc({ outcome: 'ok' });
    if (this.failing) this.logger.write('info', 'catalogue refresh works again');
    this.failing = false;
    if (version < this.current.version) return;
    this.current = new Catalog(version, models);
    this.metrics.catalogModels.set(this.current.size);
    this.logger.write('info', 'catalogue loaded', { models: this.current.size, version });
  }

  private async loadWithRetry(): Promise<void> {
    for (let attempt = 0; !this.stopped && this.current.version === 0; attempt++) {
      try {
        await this.refresh();
        return;
      } catch (error) {
        if (!this.warned) {
          this.logger.write('warn', 'registry not answering yet; retrying in the background', { err: (error as Error).message });
          this.warned = true;
        }
        await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * 2 ** attempt)));
      }
    }
  }
}
