export * from './primitives';
export * from './param-errors';
