import { Module, type DynamicModule } from '@nestjs/common';
import { AGENTS_REFRESH_MS, AgentsService } from './agents/agents.service';
import { CATALOG_REFRESH_MS, CatalogService } from './catalog/catalog.service';
import { COOLDOWN_SETTINGS, TargetHealthService } from './health/target-health.service';
import type { CooldownSettings } from './health/target-health';
import { CLASSIFIER_TIMEOUT_MS, PlanController } from './plan/plan.controller';
import { Planner } from './plan/planner';
import { PolicyPlanner } from './policies/policy-planner';
import { seededRandom } from '@iir/platform';
import { ROUTING_CONFIG_SETTINGS, RoutingConfigService, type RoutingConfigSettings } from './policies/routing-config.service';
import { RoutingStatusController } from './status/routing-status.controller';

export interface RouterSettings {
  catalogRefreshMs: number;
  planCacheTtlMs: number;
  agentsRefreshMs: number;
  routingConfig: RoutingConfigSettings;
  cooldown: CooldownSettings;
  /** How long `auto` waits for the classifier before using the default tiers. */
  classifierTimeoutMs: number;
  /** Seeds the weighted policy's picks (tests); unset = Math.random. */
  randomSeed?: number;
}

@Module({})
export class RouterModule {
  static register(settings: RouterSettings): DynamicModule {
    const random = settings.randomSeed === undefined ? Math.random : seededRandom(settings.randomSeed);
    return {
      module: RouterModule,
      controllers: [PlanController, RoutingStatusController],
      providers: [
        { provide: CATALOG_REFRESH_MS, useValue: settings.catalogRefreshMs },
        { provide: AGENTS_REFRESH_MS, useValue: settings.agentsRefreshMs },
        { provide: ROUTING_CONFIG_SETTINGS, useValue: settings.routingConfig },
        { provide: COOLDOWN_SETTINGS, useValue: settings.cooldown },
        { provide: CLASSIFIER_TIMEOUT_MS, useValue: settings.classifierTimeoutMs },
        { provide: PolicyPlanner, useValue: new PolicyPlanner(new Planner(settings.planCacheTtlMs), random) },
        CatalogService,
        AgentsService,
        RoutingConfigService,
        TargetHealthService,
      ],
    };
  }
}
