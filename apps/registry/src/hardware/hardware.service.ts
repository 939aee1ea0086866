import { BusError, type HardwareStatusResponse } from '@iir/contracts';
import { JsonLogger } from '@iir/platform';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HardwareProfileEntity } from './hardware-profile.entity';
import { probeHardware, realHost } from './hardware-probe';
import { readModelCatalog } from './model-catalog';
import { recommend } from './recommender';

export const HARDWARE_OPTIONS = Symbol('registry.hardware-options');

export interface HardwareOptions {
  /** `REGISTRY_NVIDIA_SMI`. */
  nvidiaSmi: string;
  /** `REGISTRY_PROBE_TIMEOUT_MS`, per command. */
  probeTimeoutMs: number;
  /** Absolute path of `config/model-catalog.yaml` (`REGISTRY_MODEL_CATALOG`). */
  catalogFile: string;
}

const NEVER: HardwareStatusResponse = { refreshedAt: null, hardware: null, recommendations: [] };

/**
 * Hardware discovery and model recommendations, run only when asked (`registry.hardware.refresh`)
 * and stored, so `registry.hardware.status` is a read. No LLM is involved: the recommendation is
 * arithmetic over the catalog file.
 */
@Injectable()
export class HardwareService {
  private refreshing: Promise<HardwareStatusResponse> | undefined;

  constructor(
    @Inject(HARDWARE_OPTIONS) private readonly options: HardwareOptions,
    private readonly dataSource: DataSource,
    private readonly logger: JsonLogger,
  ) {}

  /** Concurrent refreshes share one probe. */
  refresh(): Promise<HardwareStatusResponse> {
    this.refreshing ??= this.probe().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** The newest stored discovery of any registry host; never probes. */
  async status(): Promise<HardwareStatusResponse> {
    const [row] = await this.dataSource.getRepository(HardwareProfileEntity).find({ order: { refreshedAt: 'DESC' }, take: 1 });
    return row ? { refreshedAt: row.refreshedAt, hardware: row.hardware, recommendations: row.recommendations } : NEVER;
  }

  private async probe(): Promise<HardwareStatusResponse> {
    const started = Date.now();
    // The catalog first: a broken file should fail at once, not after seconds of probing.
    let catalog;
    try {
      catalog = await readModelCatalog(this.options.catalogFile);
    } catch (error) {
      throw new BusError('service_unavailable', `cannot read the model catalog: ${(error as Error).message}`);
    }
    const hardware = await probeHardware(
      { nvidiaSmi: this.options.nvidiaSmi, timeoutMs: this.options.probeTimeoutMs },
      realHost(),
    );
    const status: HardwareStatusResponse = {
      refreshedAt: new Date().toISOString(),
      hardware,
      recommendations: recommend(catalog, hardware),
    };
    await this.dataSource.getRepository(HardwareProfileEntity).save(
      Object.assign(new HardwareProfileEntity(), {
        host: hardware.host,
        refreshedAt: status.refreshedAt,
        hardware,
        recommendations: status.recommendations,
      }),
    );
    this.logger.write('info', 'hardware discovered', {
      accelerator: hardware.accelerator,
      gpus: hardware.gpus.map((g) => g.name),
      usableMemoryGb: hardware.usableMemoryGb,
      recommended: status.recommendations.length,
      notes: hardware.notes,
      ms: Date.now() - started,
    });
    return status;
  }
}
