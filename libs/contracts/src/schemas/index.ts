export * from './primitives';
export * from './param-errors';
export * from './rpc-primitives';
