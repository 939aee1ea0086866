import { Module, type DynamicModule } from '@nestjs/common';

@Module({})
export class RouterModule {
  static register(): DynamicModule {
    return { module: RouterModule };
  }
}
