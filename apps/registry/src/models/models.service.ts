import { BusError, SUBJECTS, TypedBus, type ModelRecord, type ModelsListRequest, type ModelsListResponse } from '@iir/contracts';
import { JsonLogger } from '@iir/platform';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { registryMetrics } from '../metrics/registry-metrics';
import { Seeder } from '../seed/seeder';
import { ModelsCatalogue } from './models-catalogue';
import { ModelsRepository } from './models.repository';

/**
 * The catalogue of routable models: seeded and loaded at boot, then served from memory. Every load
 * publishes `registry.models.changed` so routers and gateways drop their copies.
 */
@Injectable()
export class ModelsService implements OnModuleInit {
  private readonly catalogue = new ModelsCatalogue();
  private readonly metrics = registryMetrics();
  // In a hybrid Nest app the bus handlers are bound before `onModuleInit` runs, so an early
  // request waits here for the first load instead of seeing an empty catalogue.
  private readonly loaded: Promise<void>;
  private settle!: (error?: unknown) => void;

  constructor(
    private readonly repository: ModelsRepository,
    private readonly seeder: Seeder,
    private readonly bus: TypedBus,
    private readonly logger: JsonLogger,
  ) {
    this.loaded = new Promise<void>((resolve, reject) => {
      this.settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    this.loaded.catch(() => undefined);
  }

  async onModuleInit(): Promise<void> {
    try {
      const { inserted, updated, disabled } = await this.seeder.run();
      await this.reload(`seeded: ${inserted} inserted, ${updated} updated, ${disabled} disabled`);
      this.settle();
    } catch (error) {
      this.settle(error ?? new Error('seeding failed'));
      throw error;
    }
  }

  async list(request: ModelsListRequest = {}): Promise<ModelsListResponse> {
    await this.loaded;
    return { models: [...this.catalogue.list(request.includeDisabled === true)], version: this.catalogue.version };
  }

  /** An enabled model by name or alias; disabled and unknown names are both `model_not_found`. */
  async get(name: unknown): Promise<ModelRecord> {
    await this.loaded;
    const model = typeof name === 'string' ? this.catalogue.find(name) : undefined;
    if (!model) throw new BusError('model_not_found', `The model '${String(name)}' does not exist.`, { model: name });
    return model;
  }

  /** Re-reads the table after a write and tells everyone. */
  private async reload(reason: string): Promise<void> {
    const version = this.catalogue.replace(await this.repository.all());
    const enabled = this.catalogue.list().length;
    this.metrics.models.set({ enabled: 'true' }, enabled);
    this.metrics.models.set({ enabled: 'false' }, this.catalogue.list(true).length - enabled);
    this.bus.publish(SUBJECTS.registry.changed, { version, reason });
    this.metrics.changes.inc();
    this.logger.write('info', 'model catalogue loaded', {
      version,
      enabled,
      total: this.catalogue.list(true).length,
      reason,
    });
  }
}
