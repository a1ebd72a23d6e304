import { Inject, Injectable } from '@nestjs/common';
import { FactorsResponse, UserPurgeResponse } from '@twostep/contracts';
import { MfaUserDataRepository } from '@twostep/mfa-data-access';
import { JsonLogger } from '@twostep/observability';
import { CLOCK, Clock, LOGGER } from '@twostep/platform';
import { OtpDeliveryPublisher } from '../challenges/otp-delivery.publisher';

/** What a user has across factors, and the removal of all of it. */
@Injectable()
export class FactorsService {
  constructor(
    private readonly userData: MfaUserDataRepository,
    private readonly publisher: OtpDeliveryPublisher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {}

  /** One statement: asked on every sign-in of an MFA user (auth-api's factor minimum). */
  async get(userId: string): Promise<FactorsResponse> {
    return this.userData.factors(userId);
  }

  /**
   * Deletes every factor secret, challenge, recovery code and failure budget of the user (account
   * deletion). Codes still waiting for delivery are announced closed, so the notifier drops them.
   */
  async purge(userId: string): Promise<UserPurgeResponse> {
    const now = this.clock.now();
    const open = await this.userData.purge(userId);
    for (const c of open) await this.publisher.closeReference(c.id, 'purged', c.expiresAt, now);
    this.logger.info('mfa data purged', { userId });
    return { purged: true };
  }
}
