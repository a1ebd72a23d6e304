export * from './models';
export * from './operations';
export * from './openapi';
export * from './requests';
export * from './routes';
