import { JsonLogger } from '@iir/platform';
import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { describeDatabase, openDatabase, type DatabaseSchema, type DatabaseSettings } from './data-source';
import { DatabaseHealth } from './database.health';

/** A service's database: opened (and migrated) before anything that needs it, closed last. */
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: JsonLogger,
  ) {}

  static forRoot(settings: DatabaseSettings, schema: DatabaseSchema): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [
        {
          provide: DataSource,
          inject: [JsonLogger],
          useFactory: async (logger: JsonLogger) => {
            const dataSource = await openDatabase(settings, schema);
            logger.write('info', 'database ready', { database: describeDatabase(settings) });
            return dataSource;
          },
        },
        DatabaseHealth,
      ],
      exports: [DataSource],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.dataSource.isInitialized) return;
    await this.dataSource.destroy();
    this.logger.write('info', 'database closed');
  }
}
