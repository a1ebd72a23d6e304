import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { SessionEntity, UserEntity } from '@twostep/auth-data-access';
import {
  AppError,
  ChallengeView,
  CompleteChallengeBody,
  CreateChallengeBody,
  MfaFactor,
  MfaPattern,
  SecurityEvent,
  SMS_INCAPABLE_MESSAGE,
  smsCapablePhone,
} from '@twostep/contracts';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { ChannelsService } from '../channels/channels.service';
import { localeOf, requesterOf } from '../common/http/request-info';
import { MfaRequirementService } from '../access/mfa-requirement.service';
import { AuditEvent } from '../audit/audit-event';
import { AuditLogService } from '../audit/audit-log.service';
import { MfaClient } from '../mfa-client/mfa-client.service';
import { SecurityNoticesService } from '../security-notices/security-notices.service';
import { SessionModel, sessionModel } from '../sessions/session.model';
import { SessionsService } from '../sessions/sessions.service';
import { MfaChallengeModel, mfaChallengeModel, MfaChallengeStateModel, mfaChallengeStateModel } from './mfa.models';

/**
 * Creating and completing challenges (appwrite-api.md 2.14, 2.15). auth-api checks what it owns
 * (the session, the verified address or number, whether a notifier can deliver); mfa-service makes
 * every verification decision. A completed challenge upgrades the session in place.
 */
@Injectable()
export class MfaChallengesService {
  constructor(
    private readonly mfa: MfaClient,
    private readonly channels: ChannelsService,
    private readonly sessions: SessionsService,
    private readonly notices: SecurityNoticesService,
    private readonly requirement: MfaRequirementService,
    private readonly audit: AuditLogService,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
  ) {}

  /** POST /v1/account/mfa/challenges (and `/challenge`). */
  async createChallenge(
    user: UserEntity,
    session: SessionEntity,
    input: CreateChallengeBody,
    request: FastifyRequest,
  ): Promise<MfaChallengeModel> {
    return mfaChallengeModel(await this.create(user, session, input.factor, request));
  }

  /** PUT /v1/account/mfa/challenges (and `/challenge`): the upgraded current session. */
  async completeChallenge(
    user: UserEntity,
    session: SessionEntity,
    input: CompleteChallengeBody,
    request: FastifyRequest,
  ): Promise<SessionModel> {
    return sessionModel(await this.complete(user, session, input.challengeId, input.otp, request), { current: true });
  }

  /** GET /v1/account/mfa/challenges/:challengeId, beyond Appwrite: the state of one of the caller's challenges. */
  async state(user: UserEntity, challengeId: string): Promise<MfaChallengeStateModel> {
    return mfaChallengeStateModel(await this.mfa.send(MfaPattern.ChallengeGet, { userId: user.id, challengeId }));
  }

  async create(user: UserEntity, session: SessionEntity, factor: MfaFactor, request: FastifyRequest): Promise<ChallengeView> {
    if (await this.repeatsFirstFactor(user, session, factor)) {
      // an email-code or magic-URL session cannot prove its second factor with another email code
      throw new AppError(
        'general_argument_invalid',
        'Invalid `factor` param: this session was opened with this factor; complete the sign-in with a different factor.',
      );
    }
    let delivery;
    if (factor === 'email' || factor === 'phone') {
      // Appwrite's order: channel configured (503), address present (400), address verified (400).
      await this.channels.assertAvailable(factor === 'email' ? 'email' : 'sms');
      const destination = factor === 'email' ? user.email : user.phone;
      if (!destination) throw new AppError(factor === 'email' ? 'user_email_not_found' : 'user_phone_not_found');
      if (!(factor === 'email' ? user.emailVerification : user.phoneVerification)) {
        throw new AppError(factor === 'email' ? 'user_email_not_verified' : 'user_phone_not_verified');
      }
      if (factor === 'phone' && !smsCapablePhone(destination)) throw new AppError('general_argument_invalid', SMS_INCAPABLE_MESSAGE);
      delivery = {
        destination,
        ...(user.name ? { userName: user.name } : {}),
        locale: localeOf(request),
        projectName: this.config.APP_PROJECT_NAME,
        requester: requesterOf(request),
      };
    }
    return this.mfa.send(MfaPattern.ChallengeCreate, { userId: user.id, sessionId: session.id, factor, ...(delivery ? { delivery } : {}) });
  }

  /**
   * True when `factor` is one the session already has and the session still misses its second
   * factor: the second factor must be a different one (appwrite-api.md 11, ours). A full session may
   * repeat a factor (a recent challenge for a `fresh` route).
   */
  async repeatsFirstFactor(user: UserEntity, session: SessionEntity, factor: string): Promise<boolean> {
    return session.factors.includes(factor) && !(await this.requirement.isSatisfied(user, session));
  }

  /**
   * Verifies `otp` for the challenge and adds the proven factor to the session (mfaUpdatedAt = now;
   * stepUpAt = now unless this session enrolled that factor itself).
   */
  async complete(
    user: UserEntity,
    session: SessionEntity,
    challengeId: string,
    otp: string,
    request: FastifyRequest,
  ): Promise<SessionEntity> {
    let result;
    try {
      result = await this.mfa.send(MfaPattern.ChallengeVerify, { userId: user.id, sessionId: session.id, challengeId, otp });
    } catch (error) {
      if (error instanceof AppError && error.type === 'user_invalid_token')
        await this.audit.record(user.id, AuditEvent.ChallengeFailure, request);
      if (error instanceof AppError && error.type === 'general_rate_limit_exceeded')
        await this.audit.record(user.id, AuditEvent.ChallengeLockout, request);
      if (error instanceof AppError && error.signal === 'totp-replay') {
        // an authenticator code that was already accepted: someone may have the password and a code
        await this.notices.notifyAtMostEvery(3600, user, SecurityEvent.TotpReplayRejected, requesterOf(request), {
          locale: localeOf(request),
        });
      }
      if (error instanceof AppError && error.signal === 'factor-locked') {
        // the first lockout of a run of wrong codes (mfa-service says so once per run): someone may be guessing
        await this.notices.notify(user, SecurityEvent.FactorLocked, requesterOf(request), { locale: localeOf(request) });
      }
      throw error;
    }
    // a factor this session enrolled itself earns it no step-up: mfa-service knows for the authenticator and
    // the recovery codes (one that does not say counts as enrolled), the session for the email and phone it set
    const enrolledBySession = result.enrolledBySession !== false || session.enrolledFactors.includes(result.factor);
    const updated = await this.sessions.addFactors(session.id, [result.factor], { factor: result.factor, enrolledBySession });
    await this.audit.record(user.id, AuditEvent.challengeSuccess(result.factor), request);
    if (result.factor === 'recoveryCode') {
      await this.audit.record(user.id, AuditEvent.RecoveryCodeUse, request);
      await this.notices.notify(user, SecurityEvent.RecoveryCodeUsed, requesterOf(request), { locale: localeOf(request) });
    }
    return updated;
  }
}
