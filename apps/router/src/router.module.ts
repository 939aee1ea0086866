import { Module, type DynamicModule } from '@nestjs/common';
import { CATALOG_REFRESH_MS, CatalogService } from './catalog/catalog.service';
import { PlanController } from './plan/plan.controller';
import { Planner } from './plan/planner';

export interface RouterSettings {
  catalogRefreshMs: number;
  planCacheTtlMs: number;
}

@Module({})
export class RouterModule {
  static register(settings: RouterSettings): DynamicModule {
    return {
      module: RouterModule,
      controllers: [PlanController],
      providers: [
        { provide: CATALOG_REFRESH_MS, useValue: settings.catalogRefreshMs },
        { provide: Planner, useValue: new Planner(settings.planCacheTtlMs) },
        CatalogService,
      ],
    };
  }
}
