import { DataSourceOptions } from 'typeorm';
import { postgresDataSourceOptions } from '@twostep/persistence';
import { AuditLogEntity } from './entities/audit-log.entity';
import { SessionEntity } from './entities/session.entity';
import { UserEntity } from './entities/user.entity';
import { VerificationTokenEntity } from './entities/verification-token.entity';
import { CreateAuthSchema1732780000000 } from './migrations/1732780000000-create-auth-schema';
import { AccountTokens1796416137243 } from './migrations/1796416137243-account-tokens';
import { SessionStepUp1796416225686 } from './migrations/1796416225686-session-step-up';
import { AuditLog1796416800000 } from './migrations/1796416800000-audit-log';

export * from './entities/user.entity';
export * from './entities/session.entity';
export * from './entities/verification-token.entity';
export * from './entities/audit-log.entity';

/** Every entity of the `auth` schema, listed explicitly (no globs). */
export const AUTH_ENTITIES: Function[] = [UserEntity, SessionEntity, VerificationTokenEntity, AuditLogEntity];

/** Every migration of the `auth` schema, in order. */
export const AUTH_MIGRATIONS: Function[] = [
  CreateAuthSchema1732780000000,
  AccountTokens1796416137243,
  SessionStepUp1796416225686,
  AuditLog1796416800000,
];

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
