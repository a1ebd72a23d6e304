import { DataSourceOptions } from 'typeorm';
import { postgresDataSourceOptions } from '@twostep/persistence';

/** Every entity of the `auth` schema, listed explicitly (no globs). */
export const AUTH_ENTITIES: Function[] = [];

/** Every migration of the `auth` schema, in order. */
export const AUTH_MIGRATIONS: Function[] = [];

export const AUTH_SCHEMA = 'auth';

export function authDataSourceOptions(url: string, poolSize?: number): DataSourceOptions {
  return postgresDataSourceOptions({
    url,
    schema: AUTH_SCHEMA,
    entities: AUTH_ENTITIES,
    migrations: AUTH_MIGRATIONS,
    poolSize,
    applicationName: 'auth',
  });
}
