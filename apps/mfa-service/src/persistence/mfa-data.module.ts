import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  ChallengeRepository,
  FailureBudgetRepository,
  RecoveryCodeRepository,
  TotpAuthenticatorRepository,
} from '@twostep/mfa-data-access';

const REPOSITORIES = [TotpAuthenticatorRepository, ChallengeRepository, RecoveryCodeRepository, FailureBudgetRepository];

/** The `mfa` schema's repositories (from @twostep/mfa-data-access), on the application's DataSource. */
@Global()
@Module({
  providers: REPOSITORIES.map((Repository) => ({
    provide: Repository,
    useFactory: (dataSource: DataSource) => new Repository(dataSource),
    inject: [DataSource],
  })),
  exports: REPOSITORIES,
})
export class MfaDataModule {}
