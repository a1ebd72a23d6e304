import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { UserEntity, VerificationKind, VerificationTokenEntity } from '@twostep/auth-data-access';
import { AppError, LINK_SECRET_PATTERN, OTP_CODE_PATTERN, OtpDeliveryJobName } from '@twostep/contracts';
import { constantTimeEqual, randomDigits, randomHex } from '@twostep/crypto';
import { JsonLogger } from '@twostep/observability';
import { CLOCK, Clock, LOGGER } from '@twostep/platform';
import { AuditEvent } from '../audit/audit-event';
import { AuditLogService } from '../audit/audit-log.service';
import { ChannelsService } from '../channels/channels.service';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { CreatedSession, SessionProvider, SessionsService } from '../sessions/sessions.service';
import { UsersService } from '../users/users.service';
import { DeliveryContext, VerificationService } from '../verification/verification.service';
import { VerificationTokensRepository } from '../verification/verification-tokens.repository';

/** What a sign-in token proves, and the session it opens (appwrite-api.md 5.2). */
const SIGN_IN: Record<'signin_email' | 'magic_url' | 'signin_phone', { provider: SessionProvider; factor: 'email' | 'phone' }> = {
  signin_email: { provider: 'email', factor: 'email' },
  magic_url: { provider: 'magic-url', factor: 'email' },
  signin_phone: { provider: 'phone', factor: 'phone' },
};
type SignInKind = keyof typeof SIGN_IN;

/**
 * Passwordless sign-in (appwrite-api.md 11): a 6-digit code by email or SMS, or a link by email,
 * exchanged once for a session by `POST /v1/account/sessions/token`. Tokens are single-use, expire
 * (codes SIGN_IN_CODE_TTL_SECONDS, links MAGIC_URL_TTL_SECONDS), are stored as keyed hashes bound
 * to the address they were sent to, and travel sealed through the same otp-delivery queue as
 * challenge codes. A code allows SIGN_IN_CODE_MAX_ATTEMPTS guesses, then it is burnt.
 *
 * The session is made by {@link SessionsService.create} with the factor the token proved (`email` or
 * `phone`); the MFA rule then applies to it like to any other session, and its second factor must be
 * a different one (see MfaChallengesService).
 */
@Injectable()
export class SignInTokensService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly channels: ChannelsService,
    private readonly verification: VerificationService,
    private readonly tokens: VerificationTokensRepository,
    private readonly audit: AuditLogService,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {}

  /** createEmailToken: a 6-digit code to `email`; creates the user (`userId`) when the address is new. */
  async createEmailToken(userId: string, email: string, ctx: DeliveryContext): Promise<VerificationTokenEntity> {
    await this.channels.assertAvailable('email');
    const user = await this.users.findOrCreateByAddress(userId, { email });
    const code = randomDigits(6);
    return this.issueCode(
      user,
      'signin_email',
      email,
      code,
      () => ({
        name: OtpDeliveryJobName.SignInCode,
        channel: 'email' as const,
        secret: { destination: email, code, ...(user.name ? { userName: user.name } : {}) },
      }),
      ctx,
    );
  }

  /** createPhoneToken: a 6-digit code by SMS to `phone`; creates the user when the number is new. */
  async createPhoneToken(userId: string, phone: string, ctx: DeliveryContext): Promise<VerificationTokenEntity> {
    await this.channels.assertAvailable('sms');
    const user = await this.users.findOrCreateByAddress(userId, { phone });
    const code = randomDigits(6);
    return this.issueCode(
      user,
      'signin_phone',
      phone,
      code,
      () => ({
        name: OtpDeliveryJobName.SignInCode,
        channel: 'sms' as const,
        secret: { destination: phone, code, ...(user.name ? { userName: user.name } : {}) },
      }),
      ctx,
    );
  }

  /** createMagicURLToken: a link `url?userId&secret&expire&project` to `email`; creates the user when new. */
  async createMagicUrlToken(userId: string, email: string, url: URL | string, ctx: DeliveryContext): Promise<VerificationTokenEntity> {
    await this.channels.assertAvailable('email');
    const user = await this.users.findOrCreateByAddress(userId, { email });
    const secret = randomHex(32);
    const token = this.verification.newToken(user.id, 'magic_url', '', email, this.config.MAGIC_URL_TTL_SECONDS);
    token.secretHash = this.verification.codeHash(token.keyId, token.id, secret);
    const link = new URL(url.toString());
    link.searchParams.set('userId', user.id);
    link.searchParams.set('secret', secret);
    link.searchParams.set('expire', token.expire.toISOString());
    link.searchParams.set('project', this.config.APP_PROJECT_ID);
    if (user.status) {
      await this.verification.issue(
        token,
        OtpDeliveryJobName.MagicUrlLink,
        'email',
        { destination: email, url: link.toString(), ...(user.name ? { userName: user.name } : {}) },
        ctx,
      );
    } else {
      this.logger.emit('info', 'sign-in token not sent: the user is blocked', { userId: user.id, kind: 'magic_url' });
    }
    return token;
  }

  /**
   * createSession({userId, secret}): exchanges an open sign-in token of `userId` for a session. A
   * wrong, used, expired or foreign secret, or one sent to an address the user no longer has, is 401
   * `user_invalid_token`; nothing tells these apart.
   */
  async createSession(userId: string, secret: string, request: FastifyRequest): Promise<CreatedSession> {
    const token = await this.consume(userId, secret);
    if (!token) {
      this.logger.emit('info', 'sign-in refused', { userId, reason: 'invalid token' });
      await this.audit.record(userId, AuditEvent.sessionCreateFailure('token'), request);
      throw new AppError('user_invalid_token');
    }
    await this.verification.closeReference(token);
    const kind = token.kind as SignInKind;
    const user = await this.users.get(token.userId);
    const address = SIGN_IN[kind].factor === 'email' ? user.email : user.phone;
    if (!this.verification.sentTo(token, address)) {
      this.logger.emit('info', 'sign-in refused', { userId, reason: 'the address changed since the token was sent' });
      throw new AppError('user_invalid_token');
    }
    if (!user.status) {
      this.logger.emit('info', 'sign-in refused', { userId, reason: 'blocked' });
      throw new AppError('user_blocked');
    }
    // receiving the token proved the address (Appwrite marks it verified too)
    let signedIn = user;
    if (SIGN_IN[kind].factor === 'email' && !user.emailVerification) signedIn = await this.users.setEmailVerification(user.id, true);
    if (SIGN_IN[kind].factor === 'phone' && !user.phoneVerification) signedIn = await this.users.setPhoneVerification(user.id, true);
    return this.sessions.create(signedIn, SIGN_IN[kind].provider, [SIGN_IN[kind].factor], request);
  }

  private async issueCode(
    user: UserEntity,
    kind: 'signin_email' | 'signin_phone',
    destination: string,
    code: string,
    message: () => { name: OtpDeliveryJobName; channel: 'email' | 'sms'; secret: { destination: string; code: string; userName?: string } },
    ctx: DeliveryContext,
  ): Promise<VerificationTokenEntity> {
    const token = this.verification.newToken(user.id, kind, '', destination, this.config.SIGN_IN_CODE_TTL_SECONDS);
    token.secretHash = this.verification.codeHash(token.keyId, token.id, code);
    if (!user.status) {
      // same answer as for anyone else; a blocked user gets no message and no usable token
      this.logger.emit('info', 'sign-in token not sent: the user is blocked', { userId: user.id, kind });
      return token;
    }
    const m = message();
    await this.verification.issue(token, m.name, m.channel, m.secret, ctx);
    return token;
  }

  /** The sign-in token `secret` opens, consumed (single use); undefined when none. */
  private async consume(userId: string, secret: string): Promise<VerificationTokenEntity | undefined> {
    const now = this.clock.now();
    if (LINK_SECRET_PATTERN.test(secret)) {
      const open = await this.tokens.findOpen(userId, 'magic_url', now);
      if (!open || !constantTimeEqual(this.verification.codeHash(open.keyId, open.id, secret), open.secretHash)) return undefined;
      return (await this.tokens.consume(open.id, ['open'], now)) ? open : undefined;
    }
    if (!OTP_CODE_PATTERN.test(secret)) return undefined;
    // a code may belong to the email or the phone token; each guess counts against every open one
    for (const kind of ['signin_email', 'signin_phone'] as VerificationKind[]) {
      const open = await this.tokens.findOpen(userId, kind, now);
      if (!open) continue;
      const reserved = await this.tokens.reserveAttempt(open.id, this.config.SIGN_IN_CODE_MAX_ATTEMPTS, now);
      if (!reserved) continue;
      if (
        constantTimeEqual(this.verification.codeHash(reserved.keyId, reserved.id, secret), reserved.secretHash) &&
        (await this.tokens.consume(reserved.id, ['open', 'exhausted'], now))
      ) {
        return reserved;
      }
      if (reserved.state === 'exhausted') await this.verification.closeReference(reserved);
    }
    return undefined;
  }
}
