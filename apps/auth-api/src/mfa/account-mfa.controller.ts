import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { SessionEntity, UserEntity } from '@twostep/auth-data-access';
import { AppError, MfaPattern, SecurityEvent } from '@twostep/contracts';
import { Access } from '../access/access.decorator';
import { CurrentSession, CurrentUser } from '../access/auth-context';
import { localeOf, requesterOf } from '../common/http/request-info';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { params, required, v } from '../common/validation/params';
import { MfaClient } from '../mfa-client/mfa-client.service';
import { SecurityNoticesService } from '../security-notices/security-notices.service';
import { SessionsService } from '../sessions/sessions.service';
import { AccountModel, accountModel } from '../users/user.model';
import { UsersService } from '../users/users.service';
import { AuditEvent } from '../audit/audit-event';
import { AuditLogService } from '../audit/audit-log.service';
import { MfaChallengesService } from './mfa-challenges.service';
import { MfaFactorsService } from './mfa-factors.service';
import { MfaFactorsModel, MfaRecoveryCodesModel, MfaTypeModel } from './mfa.models';
import { authenticatorType, totpCodeParam } from './mfa.params';

/**
 * The account's MFA settings (appwrite-api.md 2.9-2.13, 2.16): the MFA flag, factors, the TOTP
 * authenticator and recovery codes. Changes that weaken the account need a recent challenge and
 * send an out-of-band notice.
 */
@Controller('v1/account/mfa')
export class AccountMfaController {
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
  @Patch()
  @Access('session')
  async update(
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: SessionEntity,
    @Body(params({ mfa: required(v.boolean()) })) body: { mfa: boolean },
    @Req() request: FastifyRequest,
  ): Promise<AccountModel> {
    const verified = await this.factors.verifiedSecondFactors(user);
    if (body.mfa) {
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
        await this.notices.notify(user, SecurityEvent.MfaEnabled, requesterOf(request), { locale: localeOf(request) });
      }
      return accountModel(updated);
    }
    if (user.mfa && verified.length > 0 && !this.sessions.steppedUpRecently(user, session)) throw new AppError('user_challenge_required');
    const updated = await this.users.setMfa(user.id, false);
    if (user.mfa) {
      await this.audit.record(user.id, AuditEvent.MfaDisable, request);
      await this.notices.notify(user, SecurityEvent.MfaDisabled, requesterOf(request), { locale: localeOf(request) });
    }
    return accountModel(updated);
  }

  /**
   * While the session misses its second factor, the factor it was opened with is reported as
   * unavailable: it cannot be the second one (an email-code session completes with TOTP, phone or a
   * recovery code).
   */
  @Get('factors')
  @Access('partial')
  async list(@CurrentUser() user: UserEntity, @CurrentSession() session: SessionEntity): Promise<MfaFactorsModel> {
    const factors = await this.factors.list(user);
    for (const f of ['email', 'phone'] as const) {
      if (factors[f] && (await this.challenges.repeatsFirstFactor(user, session, f))) factors[f] = false;
    }
    return factors;
  }

  /**
   * A new (unverified) TOTP secret and its otpauth URI; replaces an unverified one; 409 once verified.
   * While MFA is on, only after a step-up with another factor.
   */
  @Post('authenticators/:type')
  @Access('stepUp')
  @HttpCode(200)
  async createAuthenticator(@CurrentUser() user: UserEntity, @Param('type') type: string): Promise<MfaTypeModel> {
    authenticatorType(type);
    return this.mfa.send(MfaPattern.TotpCreate, {
      userId: user.id,
      accountName: user.email || user.phone || user.id,
      issuer: this.config.APP_PROJECT_NAME,
    });
  }

  /**
   * Verifies the authenticator with a current code; the session gains `totp` and is recorded as the
   * authenticator's enroller (so it can never step up with it). While MFA is on, only after a step-up.
   */
  @Put('authenticators/:type')
  @Access('stepUp')
  async verifyAuthenticator(
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: SessionEntity,
    @Param('type') type: string,
    @Body(params({ otp: required(totpCodeParam()) })) body: { otp: string },
    @Req() request: FastifyRequest,
  ): Promise<AccountModel> {
    authenticatorType(type);
    try {
      await this.mfa.send(MfaPattern.TotpVerify, { userId: user.id, otp: body.otp, sessionId: session.id });
    } catch (error) {
      if (error instanceof AppError && error.signal === 'factor-locked') {
        await this.notices.notify(user, SecurityEvent.FactorLocked, requesterOf(request), { locale: localeOf(request) });
      }
      throw error;
    }
    await this.sessions.addFactors(session.id, ['totp']);
    await this.audit.record(user.id, AuditEvent.AuthenticatorCreate, request);
    await this.notices.notify(user, SecurityEvent.AuthenticatorAdded, requesterOf(request), { locale: localeOf(request) });
    return accountModel(user);
  }

  /** Removes the authenticator (a recent challenge is required). The SDK's `{}` or an old `otp` body is ignored. */
  @Delete('authenticators/:type')
  @Access('fresh')
  @HttpCode(204)
  async deleteAuthenticator(@CurrentUser() user: UserEntity, @Param('type') type: string, @Req() request: FastifyRequest): Promise<void> {
    authenticatorType(type);
    await this.mfa.send(MfaPattern.TotpDelete, { userId: user.id });
    await this.audit.record(user.id, AuditEvent.AuthenticatorDelete, request);
    await this.notices.notify(user, SecurityEvent.AuthenticatorRemoved, requesterOf(request), { locale: localeOf(request) });
  }

  /** A first set of recovery codes (enrolled by this session). While MFA is on, only after a step-up. */
  @Post('recovery-codes')
  @Access('stepUp')
  @HttpCode(201)
  async createRecoveryCodes(
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: SessionEntity,
    @Req() request: FastifyRequest,
  ): Promise<MfaRecoveryCodesModel> {
    const codes = await this.mfa.send(MfaPattern.RecoveryCodesCreate, { userId: user.id, sessionId: session.id });
    await this.audit.record(user.id, AuditEvent.RecoveryCodesCreate, request);
    await this.notices.notify(user, SecurityEvent.RecoveryCodesCreated, requesterOf(request), { locale: localeOf(request) });
    return { recoveryCodes: codes.recoveryCodes };
  }

  @Get('recovery-codes')
  @Access('fresh')
  async getRecoveryCodes(@CurrentUser() user: UserEntity): Promise<MfaRecoveryCodesModel> {
    return { recoveryCodes: (await this.mfa.send(MfaPattern.RecoveryCodesGet, { userId: user.id })).recoveryCodes };
  }

  @Patch('recovery-codes')
  @Access('fresh')
  async regenerateRecoveryCodes(
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: SessionEntity,
    @Req() request: FastifyRequest,
  ): Promise<MfaRecoveryCodesModel> {
    const codes = await this.mfa.send(MfaPattern.RecoveryCodesRegenerate, { userId: user.id, sessionId: session.id });
    await this.audit.record(user.id, AuditEvent.RecoveryCodesUpdate, request);
    await this.notices.notify(user, SecurityEvent.RecoveryCodesRegenerated, requesterOf(request), { locale: localeOf(request) });
    return { recoveryCodes: codes.recoveryCodes };
  }
}
