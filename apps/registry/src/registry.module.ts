import { Module, type DynamicModule } from '@nestjs/common';

@Module({})
export class RegistryModule {
  static register(): DynamicModule {
    return { module: RegistryModule };
  }
}
