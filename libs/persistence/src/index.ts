export * from './data-source';
export * from './database.health';
export * from './database.module';
export * from './sqlite-client';
