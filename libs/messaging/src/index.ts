export * from './redis';
export * from './queues';
export * from './rpc-connection';
