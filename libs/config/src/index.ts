export * from './env-schema';
export * from './common';
export * from './otel';
