import { DatabaseModule } from '@iir/persistence';
import { Module, type DynamicModule } from '@nestjs/common';
import { authDatabase, type AuthConfig } from './auth.config';
import { AUTH_SCHEMA } from './database/auth-schema';
import { KeysModule } from './keys/keys.module';
import { UsageModule } from './usage/usage.module';

@Module({})
export class AuthModule {
  static register(config: AuthConfig): DynamicModule {
    return {
      module: AuthModule,
      imports: [
        DatabaseModule.forRoot(authDatabase(config), AUTH_SCHEMA),
        KeysModule,
        UsageModule.register(config.USAGE_STREAM_MAX_AGE_DAYS * 86_400_000),
      ],
    };
  }
}
