export * from './models';
export * from './operations';
export * from './openapi';
