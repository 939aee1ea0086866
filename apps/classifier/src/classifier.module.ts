import { Module, type DynamicModule } from '@nestjs/common';
import { classifierMetrics } from './classifier-metrics';

@Module({})
export class ClassifierModule {
  static register(): DynamicModule {
    classifierMetrics();
    return { module: ClassifierModule };
  }
}
