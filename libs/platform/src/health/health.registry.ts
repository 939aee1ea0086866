import { Injectable } from '@nestjs/common';

/** Something a service depends on (its database, Redis…), checked by `/health` and the bus probe. */
export interface HealthContributor {
  name: string;
  /** Whether this dependency is required for the service to be healthy. */
  critical: boolean;
  isUp(): Promise<boolean>;
}

/** Each feature registers its dependencies here; health endpoints read them. */
@Injectable()
export class HealthRegistry {
  private readonly contributors: HealthContributor[] = [];

  register(contributor: HealthContributor): void {
    this.contributors.push(contributor);
  }

  list(): readonly HealthContributor[] {
    return this.contributors;
  }

  async check(): Promise<{ ok: boolean; checks: Record<string, 'up' | 'down'> }> {
    const results = await Promise.all(
      this.contributors.map(async (c) => {
        const up = await c.isUp().catch(() => false);
        return { c, up };
      }),
    );
    const checks: Record<string, 'up' | 'down'> = {};
    let ok = true;
    for (const { c, up } of results) {
      checks[c.name] = up ? 'up' : 'down';
      if (!up && c.critical) ok = false;
    }
    return { ok, checks };
  }
}
