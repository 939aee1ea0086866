export * from './services';
export * from './wait-for';
export * from './openapi';
export * from './fake-upstream';
export * from './service-process';
export * from './postgres-schema';
export * from './tcp-relay';
export * from './metrics-scrape';
