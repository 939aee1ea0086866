import { ConfigError, JsonLogger } from '@iir/platform';
import { Inject, Injectable } from '@nestjs/common';
import { ModelsRepository } from '../models/models.repository';
import { readSeedFile, SeedFileError } from './seed-file';
import { planSeed } from './seed-plan';
import { resolveSeed, type ResolvedSeed, type SeedEnvironment } from './seed-resolver';

export const SEED_OPTIONS = Symbol('registry.seed-options');

export interface SeedOptions {
  /** Absolute path of the YAML catalogue. */
  file: string;
  /** When true a missing file seeds nothing (with a warning) instead of stopping start-up. */
  optional: boolean;
  /** Snapshot of the variables the file may use, taken by the config layer. */
  environment: SeedEnvironment;
}

export interface SeedSummary {
  inserted: number;
  updated: number;
  disabled: number;
  skipped: number;
}

const NOTHING: SeedSummary = { inserted: 0, updated: 0, disabled: 0, skipped: 0 };

/** Brings the `models` table in line with the seed file and the environment, once per boot. */
@Injectable()
export class Seeder {
  constructor(
    @Inject(SEED_OPTIONS) private readonly options: SeedOptions,
    private readonly repository: ModelsRepository,
    private readonly logger: JsonLogger,
  ) {}

  async run(now = new Date()): Promise<SeedSummary> {
    const { file } = this.options;
    const seed = await this.load();
    if (!seed) {
      this.logger.write('warn', 'no model seed file; the registry keeps the models it already has', { file });
      return NOTHING;
    }
    if (seed.skipped.length > 0) {
      const waiting = Object.fromEntries(seed.skipped.map(({ name, missing }) => [name, missing]));
      this.logger.write('info', 'some models are not offered until their variables are set', { waiting });
    }
    const plan = planSeed(await this.repository.all(), seed.models, now.toISOString());
    await this.repository.write(plan);
    const summary: SeedSummary = {
      inserted: plan.inserts.length,
      updated: plan.updates.length - plan.disabled.length,
      disabled: plan.disabled.length,
      skipped: seed.skipped.length,
    };
    this.logger.write('info', 'model catalogue seeded', {
      file,
      offered: seed.models.length,
      ...summary,
      // Rows the file also names but an operator owns: left as they are.
      operatorManaged: plan.operatorOwned,
    });
    return summary;
  }

  /** A bad seed file stops start-up like a bad setting would, with one message naming file and entry. */
  private async load(): Promise<ResolvedSeed | undefined> {
    const { file, optional, environment } = this.options;
    try {
      const entries = await readSeedFile(file);
      if (entries === undefined) {
        if (optional) return undefined;
        throw new SeedFileError(`${file} does not exist`);
      }
      return resolveSeed(entries, environment, file);
    } catch (error) {
      if (error instanceof SeedFileError) {
        throw new ConfigError([{ variable: 'REGISTRY_SEED_FILE', message: error.message }]);
      }
      throw error;
    }
  }
}
