import type { HardwareInfo, ModelRecommendation } from '@iir/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The `hardware_profiles` table: the last discovery per registry host. Portable types only. */
@Entity({ name: 'hardware_profiles' })
export class HardwareProfileEntity {
  @PrimaryColumn({ type: 'varchar', length: 255 })
  host!: string;

  /** ISO-8601, like the models table. */
  @Column({ name: 'refreshed_at', type: 'varchar', length: 32 })
  refreshedAt!: string;

  @Column({ type: 'simple-json' })
  hardware!: HardwareInfo;

  @Column({ type: 'simple-json' })
  recommendations!: ModelRecommendation[];
}
