import { DataSourceOptions } from 'typeorm';
import { postgresDataSourceOptions } from '@twostep/persistence';

/** Every entity of the `mfa` schema, listed explicitly (no globs). */
export const MFA_ENTITIES: Function[] = [];

/** Every migration of the `mfa` schema, in order. */
export const MFA_MIGRATIONS: Function[] = [];

export const MFA_SCHEMA = 'mfa';

export function mfaDataSourceOptions(url: string, poolSize?: number): DataSourceOptions {
  return postgresDataSourceOptions({
    url,
    schema: MFA_SCHEMA,
    entities: MFA_ENTITIES,
    migrations: MFA_MIGRATIONS,
    poolSize,
    applicationName: 'mfa',
  });
}
