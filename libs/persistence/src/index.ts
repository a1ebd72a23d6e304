export * from './postgres';
export * from './sql';
export * from './sql.module';
export * from './migrate-cli';
export * from './schema-drift';
