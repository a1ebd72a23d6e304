export * from './keyring';
export * from './aead';
export * from './hashing';
export * from './random';
export * from './rpc-auth';
