import { Module, type DynamicModule } from '@nestjs/common';

@Module({})
export class AuthModule {
  static register(): DynamicModule {
    return { module: AuthModule };
  }
}
