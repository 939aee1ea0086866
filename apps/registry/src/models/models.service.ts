import {
  BusError,
  SUBJECTS,
  TypedBus,
  type ModelDeleteResponse,
  type ModelRecord,
  type ModelsListRequest,
  type ModelsListResponse,
} from '@iir/contracts';
import { JsonLogger } from '@iir/platform';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { registryMetrics } from '../metrics/registry-metrics';
import { Seeder } from '../seed/seeder';
import { checkAgainstCatalogue, dependentsOf } from './catalogue-rules';
import type { StoredModel } from './model.entity';
import { applyModelChanges, invalid, validateModelInput } from './model-input.validator';
import { ModelsCatalogue } from './models-catalogue';
import { ModelsRepository } from './models.repository';

/**
 * The catalogue of routable models: seeded and loaded at boot, then served from memory, and
 * changed by operators (create, update, delete). Every load publishes `registry.models.changed`
 * so routers and gateways drop their copies. Rows written here are `operator` rows, which the
 * seeder never touches.
 */
@Injectable()
export class ModelsService implements OnModuleInit {
  private readonly catalogue = new ModelsCatalogue();
  private readonly metrics = registryMetrics();
  // In a hybrid Nest app the bus handlers are bound before `onModuleInit` runs, so an early
  // request waits here for the first load instead of seeing an empty catalogue.
  private readonly loaded: Promise<void>;
  private settle!: (error?: unknown) => void;
  /** Writes run one at a time, so two creates cannot both claim one alias. */
  private writes: Promise<unknown> = Promise.resolve();

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

  /**
   * An enabled model by name or alias; disabled and unknown names are both `model_not_found`.
   * With `includeDisabled` (admin views) a disabled model is found too.
   */
  async get(name: unknown, includeDisabled = false): Promise<ModelRecord> {
    await this.loaded;
    const model = typeof name === 'string' ? this.catalogue.find(name, includeDisabled) : undefined;
    if (!model) throw new BusError('model_not_found', `The model '${String(name)}' does not exist.`, { model: name });
    return model;
  }

  create(input: unknown, now = new Date()): Promise<ModelRecord> {
    return this.serialized(async () => {
      const model = validateModelInput(input);
      const rows = await this.repository.all();
      const existing = rows.find((r) => r.name.toLowerCase() === model.name.toLowerCase());
      if (existing) throw invalid(`A model named '${existing.name}' already exists; update it instead.`, 'name');
      checkAgainstCatalogue(model, rows);
      const at = now.toISOString();
      if (!(await this.repository.insert({ ...model, managedBy: 'operator', createdAt: at, updatedAt: at }))) {
        throw invalid(`A model named '${model.name}' already exists; update it instead.`, 'name');
      }
      await this.reload(`created ${model.name}`);
      return this.stored(model.name);
    });
  }

  /** Any field but the name; the row becomes operator-managed, so a later seed leaves it alone. */
  update(name: unknown, changes: unknown, now = new Date()): Promise<ModelRecord> {
    return this.serialized(async () => {
      const rows = await this.repository.all();
      const current = this.row(rows, name);
      const model = applyModelChanges(current, changes);
      checkAgainstCatalogue(model, rows);
      await this.repository.update({ ...current, ...model, managedBy: 'operator', updatedAt: now.toISOString() });
      const verb = current.enabled === model.enabled ? 'updated' : model.enabled ? 'enabled' : 'disabled';
      await this.reload(`${verb} ${current.name}`);
      return this.stored(current.name);
    });
  }

  /**
   * Deletes an operator's model. A seeded one would come back at the next start, so it is refused
   * with a pointer to disabling it; so is a model that others name as a fallback.
   */
  remove(name: unknown): Promise<ModelDeleteResponse> {
    return this.serialized(async () => {
      const rows = await this.repository.all();
      const current = this.row(rows, name);
      if (current.managedBy === 'seed') {
        throw invalid(
          `'${current.name}' comes from the seed file and would come back at the next start; disable it, or remove it from the seed file.`,
          'name',
        );
      }
      const dependents = dependentsOf(current, rows);
      if (dependents.length > 0) {
        throw invalid(`'${current.name}' is a fallback of ${dependents.join(', ')}; remove it from their fallbacks first.`, 'name');
      }
      await this.repository.remove(current.name);
      await this.reload(`deleted ${current.name}`);
      return { name: current.name, deleted: true };
    });
  }

  private row(rows: readonly StoredModel[], name: unknown): StoredModel {
    const wanted = typeof name === 'string' ? name.toLowerCase() : undefined;
    const row = rows.find((r) => r.name.toLowerCase() === wanted);
    if (!row) throw new BusError('not_found', `No model named '${String(name)}' in the registry.`, { param: 'name' });
    return row;
  }

  private stored(name: string): ModelRecord {
    const model = this.catalogue.find(name, true);
    if (!model) throw new BusError('internal_error', `${name} was written but is not in the catalogue`);
    return model;
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.writes;
    const run = Promise.all([this.loaded, previous]).then(work);
    this.writes = run.catch(() => undefined);
    return run;
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
