export * from './redis';
export * from './queues';
export * from './redis-safety';
export * from './rpc-connection';
export * from './worker-host';
