import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { SessionEntity, UserEntity } from '@twostep/auth-data-access';
import { AppError, MfaPattern, SecurityEvent, UpdateMfaBody, VerifyAuthenticatorBody } from '@twostep/contracts';
import { AuditEvent } from '../audit/audit-event';
import { AuditLogService } from '../audit/audit-log.service';
import { localeOf, requesterOf } from '../common/http/request-info';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { MfaClient } from '../mfa-client/mfa-client.service';
import { SecurityNoticesService } from '../security-notices/security-notices.service';
import { SessionsService } from '../sessions/sessions.service';
import { AccountModel, accountModel } from '../users/user.model';
import { UsersService } from '../users/users.service';
import { MfaChallengesService } from './mfa-challenges.service';
import { MfaFactorsService } from './mfa-factors.service';
import { MfaFactorsModel, MfaRecoveryCodesModel, MfaTypeModel } from './mfa.models';

/**
 * The account's MFA settings (appwrite-api.md 2.9-2.13, 2.16): the MFA flag, factors, the TOTP
 * authenticator and recovery codes. Changes that weaken the account need a recent challenge (the
 * route's access class, or here for turning MFA off) and send an out-of-band notice.
 */
@Injectable()
export class AccountMfaService {
  constructor(
    private readonly mfa: MfaClient,
    private readonly factors: MfaFactorsService,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly notices: SecurityNoticesService,
    private readonly challenges: MfaChallengesService,
    private readonly audit: AuditLogService,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
  ) {}

  /**
   * Turns MFA on or off. On: refused until a second factor is verified (otherwise the flag would
   * promise a protection that is not enforced); the caller's session gains the verified factors so it
   * stays signed in. Off, while MFA is enforced: needs a challenge completed in the last 30 minutes.
   */
  async update(user: UserEntity, session: SessionEntity, input: UpdateMfaBody, request: FastifyRequest): Promise<AccountModel> {
    const verified = await this.factors.verifiedSecondFactors(user);
    if (input.mfa) {
      if (verified.length === 0) {
        throw new AppError(
          'general_bad_request',
          'Verify an authenticator app, your email or your phone before turning on multi-factor authentication.',
        );
      }
      const updated = await this.users.setMfa(user.id, true);
      await this.sessions.addFactors(session.id, verified);
      if (!user.mfa) {
        await this.audit.record(user.id, AuditEvent.MfaEnable, request);
        await this.notify(user, SecurityEvent.MfaEnabled, request);
      }
      return accountModel(updated);
    }
    if (user.mfa && verified.length > 0 && !this.sessions.steppedUpRecently(user, session)) throw new AppError('user_challenge_required');
    const updated = await this.users.setMfa(user.id, false);
    if (user.mfa) {
      await this.audit.record(user.id, AuditEvent.MfaDisable, request);
      await this.notify(user, SecurityEvent.MfaDisabled, request);
    }
    return accountModel(updated);
  }

  /**
   * While the session misses its second factor, the factor it was opened with is reported as
   * unavailable: it cannot be the second one (an email-code session completes with TOTP, phone or a
   * recovery code).
   */
  async listFactors(user: UserEntity, session: SessionEntity): Promise<MfaFactorsModel> {
    const factors = await this.factors.list(user);
    for (const f of ['email', 'phone'] as const) {
      if (factors[f] && (await this.challenges.repeatsFirstFactor(user, session, f))) factors[f] = false;
    }
    return factors;
  }

  /** A new (unverified) TOTP secret and its otpauth URI; replaces an unverified one; 409 once verified. */
  createAuthenticator(user: UserEntity): Promise<MfaTypeModel> {
    return this.mfa.send(MfaPattern.TotpCreate, {
      userId: user.id,
      accountName: user.email || user.phone || user.id,
      issuer: this.config.APP_PROJECT_NAME,
    });
  }

  /**
   * Verifies the authenticator with a current code; the session gains `totp` and is recorded as the
   * authenticator's enroller (so it can never step up with it).
   */
  async verifyAuthenticator(
    user: UserEntity,
    session: SessionEntity,
    input: VerifyAuthenticatorBody,
    request: FastifyRequest,
  ): Promise<AccountModel> {
    try {
      await this.mfa.send(MfaPattern.TotpVerify, { userId: user.id, otp: input.otp, sessionId: session.id });
    } catch (error) {
      if (error instanceof AppError && error.signal === 'factor-locked') await this.notify(user, SecurityEvent.FactorLocked, request);
      throw error;
    }
    await this.sessions.addFactors(session.id, ['totp']);
    await this.audit.record(user.id, AuditEvent.AuthenticatorCreate, request);
    await this.notify(user, SecurityEvent.AuthenticatorAdded, request);
    return accountModel(user);
  }

  /** Removes the authenticator (the route needs a recent challenge). */
  async deleteAuthenticator(user: UserEntity, request: FastifyRequest): Promise<void> {
    await this.mfa.send(MfaPattern.TotpDelete, { userId: user.id });
    await this.audit.record(user.id, AuditEvent.AuthenticatorDelete, request);
    await this.notify(user, SecurityEvent.AuthenticatorRemoved, request);
  }

  /** A first set of recovery codes (enrolled by this session). */
  async createRecoveryCodes(user: UserEntity, session: SessionEntity, request: FastifyRequest): Promise<MfaRecoveryCodesModel> {
    const codes = await this.mfa.send(MfaPattern.RecoveryCodesCreate, { userId: user.id, sessionId: session.id });
    await this.audit.record(user.id, AuditEvent.RecoveryCodesCreate, request);
    await this.notify(user, SecurityEvent.RecoveryCodesCreated, request);
    return { recoveryCodes: codes.recoveryCodes };
  }

  async getRecoveryCodes(user: UserEntity): Promise<MfaRecoveryCodesModel> {
    return { recoveryCodes: (await this.mfa.send(MfaPattern.RecoveryCodesGet, { userId: user.id })).recoveryCodes };
  }

  async regenerateRecoveryCodes(user: UserEntity, session: SessionEntity, request: FastifyRequest): Promise<MfaRecoveryCodesModel> {
    const codes = await this.mfa.send(MfaPattern.RecoveryCodesRegenerate, { userId: user.id, sessionId: session.id });
    await this.audit.record(user.id, AuditEvent.RecoveryCodesUpdate, request);
    await this.notify(user, SecurityEvent.RecoveryCodesRegenerated, request);
    return { recoveryCodes: codes.recoveryCodes };
  }

  private notify(user: UserEntity, event: SecurityEvent, request: FastifyRequest): Promise<boolean> {
    return this.notices.notify(user, event, requesterOf(request), { locale: localeOf(request) });
  }
}
