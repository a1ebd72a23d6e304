export * from './postgres';
export * from './connection-loss';
