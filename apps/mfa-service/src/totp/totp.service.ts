import { Inject, Injectable } from '@nestjs/common';
import { AppError, TotpCreateResponse, TotpDeleteResponse, TotpVerifyResponse } from '@twostep/contracts';
import { uniqueId } from '@twostep/crypto';
import { TotpAuthenticatorEntity, TotpAuthenticatorRepository } from '@twostep/mfa-data-access';
import { JsonLogger } from '@twostep/observability';
import { CLOCK, Clock, LOGGER } from '@twostep/platform';
import { FailureBudgetService } from '../budgets/failure-budget.service';
import { MFA_SERVICE_CONFIG, MfaServiceConfig } from '../config/mfa-service.config';
import { MfaSecrets } from '../core/mfa-secrets.service';
import { MfaMetrics } from '../metrics/mfa-metrics.service';
import { otpauthUri } from './otpauth-uri';
import { generateTotpSecret, matchStep, StepMatch, TOTP_CODE } from './totp-algorithm';

/** A TOTP code as typed: exactly six ASCII digits (no spaces, no other scripts' digits). */
export { TOTP_CODE };

/** Which time step a code proves, or why it proves none. */
export type TotpMatch = StepMatch;

/**
 * TOTP authenticators: enrollment (secret, URI, verification) and code checks. SHA-1, 6 digits, 30 s,
 * the current step and MFA_TOTP_WINDOW steps either side, each step accepted at most once per user.
 */
@Injectable()
export class TotpService {
  private readonly window: number;

  constructor(
    private readonly authenticators: TotpAuthenticatorRepository,
    private readonly secrets: MfaSecrets,
    private readonly budget: FailureBudgetService,
    private readonly metrics: MfaMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: JsonLogger,
    @Inject(MFA_SERVICE_CONFIG) config: MfaServiceConfig,
  ) {
    this.window = config.MFA_TOTP_WINDOW;
  }

  /** A new secret for the user, replacing an unverified one; 409 when a verified one exists (no secret then). */
  async create(userId: string, accountName: string, issuer: string): Promise<TotpCreateResponse> {
    const now = this.clock.now();
    const secret = generateTotpSecret();
    const stored = await this.authenticators.upsertUnverified({
      userId,
      authenticatorId: uniqueId(now.getTime()),
      secretEncrypted: this.secrets.encryptTotpSecret(userId, secret),
      now,
    });
    if (!stored) throw new AppError('user_authenticator_already_verified');
    this.metrics.enrollments.inc({ result: 'created' });
    this.logger.info('totp authenticator created', { userId });
    return { secret, uri: otpauthUri(issuer, accountName, secret) };
  }

  /**
   * Enrollment: the first correct code verifies the authenticator (and burns its time step); the
   * verifying session is recorded as its enroller.
   */
  async verifyEnrollment(userId: string, otp: string, enrollingSessionId: string | null = null): Promise<TotpVerifyResponse> {
    const authenticator = await this.authenticators.find(userId);
    if (!authenticator) throw new AppError('user_authenticator_not_found');
    if (authenticator.verified) throw new AppError('user_authenticator_already_verified');
    if (!TOTP_CODE.test(otp)) {
      this.metrics.failed('totp', 'malformed_code');
      throw new AppError('user_invalid_token');
    }
    const now = this.clock.now();
    const reservation = await this.budget.reserve(userId, 'totp', now);
    const match = this.match(authenticator, otp, now);
    if ('step' in match) {
      const accepted = await this.authenticators.acceptStep({
        userId,
        authenticatorId: authenticator.authenticatorId,
        step: match.step,
        now,
        enrollment: true,
        enrollingSessionId,
      });
      if (accepted) {
        await this.budget.succeeded(userId, 'totp', now);
        this.metrics.enrollments.inc({ result: 'verified' });
        this.logger.info('totp authenticator verified', { userId });
        return { verified: true };
      }
    }
    const reason = 'reason' in match ? match.reason : 'replayed_step';
    const lockoutStarted = this.budget.failed(userId, 'totp', reservation, now);
    this.metrics.failed('totp', reason);
    this.logger.emit('warn', 'totp enrollment verification refused', { userId, outcome: reason });
    throw new AppError('user_invalid_token', undefined, lockoutStarted ? { signal: 'factor-locked' } : undefined);
  }

  async delete(userId: string): Promise<TotpDeleteResponse> {
    if (!(await this.authenticators.delete(userId))) throw new AppError('user_authenticator_not_found');
    this.logger.info('totp authenticator deleted', { userId });
    return { deleted: true };
  }

  /**
   * For a TOTP challenge: the step a code proves against the user's *verified* authenticator (read with
   * the challenge). The caller burns the step in the statement that consumes the challenge
   * (ChallengeRepository.attempt).
   */
  matchVerified(
    authenticator: TotpAuthenticatorEntity | null,
    otp: string,
    now: Date,
  ): { step: number; authenticatorId: string; enrolledSessionId: string | null } | { reason: 'wrong_code' | 'replayed_step' } {
    if (!authenticator || !authenticator.verified) return { reason: 'wrong_code' };
    const match = this.match(authenticator, otp, now);
    return 'step' in match
      ? { step: match.step, authenticatorId: authenticator.authenticatorId, enrolledSessionId: authenticator.enrolledSessionId }
      : match;
  }

  private match(authenticator: TotpAuthenticatorEntity, otp: string, now: Date): TotpMatch {
    const match = matchStep({
      secret: this.secrets.decryptTotpSecret(authenticator.userId, authenticator.secretEncrypted),
      code: otp,
      epochSeconds: Math.floor(now.getTime() / 1000),
      window: this.window,
      lastStep: authenticator.lastStep,
    });
    if ('reason' in match && match.reason === 'replayed_step') {
      this.logger.emit('warn', 'totp code for an already accepted time step rejected (possible replay)', { userId: authenticator.userId });
    }
    return match;
  }
}
