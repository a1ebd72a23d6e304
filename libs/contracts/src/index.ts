export * from './errors/error-catalog';
export * from './queues/queue-names';
export * from './queues/jobs';
export * from './rpc/mfa-patterns';
export * from './schemas';
export * from './http';
