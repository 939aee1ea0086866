export * from './services';
export * from './wait-for';
export * from './openapi';
export * from './fake-upstream/fake-server';
export * from './fake-upstream/fake-openai.server';
export * from './fake-upstream/fake-anthropic.server';
export * from './service-process';
