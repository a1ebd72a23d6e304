import { Global, Module } from '@nestjs/common';
import {
  ChallengeRepository,
  FailureBudgetRepository,
  MfaUserDataRepository,
  RecoveryCodeRepository,
  TotpAuthenticatorRepository,
} from '@twostep/mfa-data-access';
import { Sql, SqlModule } from '@twostep/persistence';

const REPOSITORIES = [
  TotpAuthenticatorRepository,
  ChallengeRepository,
  RecoveryCodeRepository,
  FailureBudgetRepository,
  MfaUserDataRepository,
];

/** The `mfa` schema's repositories (from @twostep/mfa-data-access), on the query helper over the application's DataSource. */
@Global()
@Module({
  imports: [SqlModule],
  providers: REPOSITORIES.map((Repository) => ({
    provide: Repository,
    useFactory: (sql: Sql) => new Repository(sql),
    inject: [Sql],
  })),
  exports: REPOSITORIES,
})
export class MfaDataModule {}
