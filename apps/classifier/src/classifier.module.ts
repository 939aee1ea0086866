import { Module, type DynamicModule } from '@nestjs/common';

@Module({})
export class ClassifierModule {
  static register(): DynamicModule {
    return { module: ClassifierModule };
  }
}
