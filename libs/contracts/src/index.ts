export * from './errors/error-catalog';
export * from './queues/queue-names';
export * from './queues/jobs';
export * from './rpc/mfa-patterns';
export * from './rpc/mfa-rpc.schema';
export * from './rpc/rpc-params';
export * from './schemas';
export * from './http';
