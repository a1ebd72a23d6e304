import { DataSourceOptions } from 'typeorm';
import { postgresDataSourceOptions } from '@twostep/persistence';
import { ChallengeEntity } from './entities/challenge.entity';
import { FailureBudgetEntity } from './entities/failure-budget.entity';
import { RecoveryCodeEntity } from './entities/recovery-code.entity';
import { TotpAuthenticatorEntity } from './entities/totp-authenticator.entity';
import { MfaInitialSchema1767225600000 } from './migrations/1767225600000-mfa-initial-schema';
import { AccountFailureBudget1767312000000 } from './migrations/1767312000000-account-failure-budget';
import { FactorEnrollingSession1796416225685 } from './migrations/1796416225685-factor-enrolling-session';
import { FailureBudgetHardLock1796417009545 } from './migrations/1796417009545-failure-budget-hard-lock';
import { OneOpenCodeChallenge1796420000000 } from './migrations/1796420000000-one-open-code-challenge';

export * from './entities/challenge.entity';
export * from './entities/failure-budget.entity';
export * from './entities/recovery-code.entity';
export * from './entities/totp-authenticator.entity';
export * from './repositories/challenge.repository';
export * from './repositories/failure-budget.repository';
export * from './repositories/recovery-code.repository';
export * from './repositories/totp-authenticator.repository';
export * from './repositories/user-data.repository';

/** Every entity of the `mfa` schema, listed explicitly (no globs). */
export const MFA_ENTITIES: Function[] = [TotpAuthenticatorEntity, ChallengeEntity, RecoveryCodeEntity, FailureBudgetEntity];

/** Every migration of the `mfa` schema, in order. */
export const MFA_MIGRATIONS: Function[] = [
  MfaInitialSchema1767225600000,
  AccountFailureBudget1767312000000,
  FactorEnrollingSession1796416225685,
  FailureBudgetHardLock1796417009545,
  OneOpenCodeChallenge1796420000000,
];

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
