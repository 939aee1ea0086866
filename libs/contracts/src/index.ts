export * from './bus';
export * from './clients';
export * from './errors';
export * from './health';
export * from './openai';
export * from './registry';
export * from './routing';
export * from './subjects';
