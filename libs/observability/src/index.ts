export * from './redact';
export * from './request-context';
export * from './json-logger';
export * from './metrics';
export * from './health-server';
export * from './shutdown';
export * from './tracing';
export * from './bootstrap';
