import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FactorsResponse, UserPurgeResponse } from '@twostep/contracts';
import {
  ChallengeRepository,
  FailureBudgetRepository,
  RecoveryCodeRepository,
  TotpAuthenticatorRepository,
} from '@twostep/mfa-data-access';
import { JsonLogger } from '@twostep/observability';
import { CLOCK, Clock, LOGGER } from '@twostep/platform';
import { OtpDeliveryPublisher } from '../challenges/otp-delivery.publisher';

/** What a user has across factors, and the removal of all of it. */
@Injectable()
export class FactorsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly authenticators: TotpAuthenticatorRepository,
    private readonly recoveryCodes: RecoveryCodeRepository,
    private readonly challenges: ChallengeRepository,
    private readonly budgets: FailureBudgetRepository,
    private readonly publisher: OtpDeliveryPublisher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {}

  async get(userId: string): Promise<FactorsResponse> {
    const [totp, unusedCodes] = await Promise.all([this.authenticators.hasVerified(userId), this.recoveryCodes.countUnused(userId)]);
    return { totp, recoveryCode: unusedCodes > 0 };
  }

  /**
   * Deletes every factor secret, challenge, recovery code and failure budget of the user (account
   * deletion). Codes still waiting for delivery are announced closed, so the notifier drops them.
   */
  async purge(userId: string): Promise<UserPurgeResponse> {
    const now = this.clock.now();
    const open = await this.dataSource.transaction(async (manager) => {
      const pending = await this.challenges.openForUser(userId, manager);
      await this.challenges.deleteForUser(userId, manager);
      await this.recoveryCodes.deleteForUser(userId, manager);
      await this.authenticators.delete(userId, manager);
      await this.budgets.deleteForUser(userId, manager);
      return pending;
    });
    for (const c of open) await this.publisher.closeReference(c.id, 'purged', c.expiresAt, now);
    this.logger.info('mfa data purged', { userId });
    return { purged: true };
  }
}
