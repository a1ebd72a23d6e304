import { Inject, Injectable } from '@nestjs/common';
import { VerificationTokenEntity } from '@twostep/auth-data-access';
import {
  AppError,
  CreateRecoveryBody,
  LINK_SECRET_PATTERN,
  OtpDeliveryJobName,
  SecurityEvent,
  UpdateRecoveryBody,
} from '@twostep/contracts';
import { constantTimeEqual, randomHex, uniqueId } from '@twostep/crypto';
import { JsonLogger } from '@twostep/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthContext } from '../access/auth-context';
import { formatDate } from '../common/dates';
import { CLOCK, Clock, LOGGER } from '@twostep/platform';
import { AuditEvent } from '../audit/audit-event';
import { AuditLogService } from '../audit/audit-log.service';
import { ChannelsService } from '../channels/channels.service';
import { localeOf, requesterOf } from '../common/http/request-info';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { SecurityNoticesService } from '../security-notices/security-notices.service';
import { SessionsService } from '../sessions/sessions.service';
import { UsersService } from '../users/users.service';
import { DeliveryContext, VerificationService } from '../verification/verification.service';
import { VerificationTokensRepository } from '../verification/verification-tokens.repository';
import { TokenModel, tokenModel } from '../verification/token.model';

/**
 * Password recovery (appwrite-api.md 11), stricter than Appwrite:
 *  - `createRecovery` answers the same 201 whether or not the address belongs to an account (the
 *    Token in the answer names no user), and only a known, active account gets an email;
 *  - the link's 256-bit secret is stored as a keyed hash, works once, for PASSWORD_RECOVERY_TTL_SECONDS,
 *    and only while the account still has the address it was sent to;
 *  - a reset never opens a session and does not touch MFA: the next sign-in of an MFA user still
 *    needs the second factor. It ends every session of the user (PASSWORD_RECOVERY_INVALIDATES_SESSIONS)
 *    and emails a notice.
 */
@Injectable()
export class PasswordRecoveryService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly channels: ChannelsService,
    private readonly verification: VerificationService,
    private readonly tokens: VerificationTokensRepository,
    private readonly notices: SecurityNoticesService,
    private readonly audit: AuditLogService,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: JsonLogger,
    private readonly rateLimits: RateLimitService,
  ) {}

  /**
   * POST /v1/account/recovery: 201 Token with an empty `userId` and `secret`, the same for every
   * address. Limited per client address (SIGN_IN_TOKENS_PER_IP_PER_HOUR) besides the route's limit per address.
   */
  async request(input: CreateRecoveryBody, auth: AuthContext, request: FastifyRequest, reply: FastifyReply): Promise<TokenModel> {
    if (auth.kind !== 'apiKey' && this.rateLimits.enabled) {
      await this.rateLimits.hit(
        { limit: this.config.SIGN_IN_TOKENS_PER_IP_PER_HOUR, key: ['ip'] },
        'SignInTokens.perClientAddress',
        request,
        reply,
      );
    }
    const token = await this.create(input.email, new URL(input.url), { requester: requesterOf(request), locale: localeOf(request) });
    return { $id: token.id, $createdAt: formatDate(token.createdAt), userId: '', secret: '', expire: formatDate(token.expire), phrase: '' };
  }

  /** PUT /v1/account/recovery: 200 Token; sets the password (sign-up policy). Opens no session. */
  async reset(input: UpdateRecoveryBody, request: FastifyRequest): Promise<TokenModel> {
    return tokenModel(await this.complete(input.userId, input.secret, input.password, request));
  }

  /**
   * Emails a recovery link to `email` if it is an active account's; the answer does not say, neither
   * by its content nor by its timing or its failure: the link is stored and queued after the answer,
   * so a known and an unknown address cost the same one lookup, and a queue outage is logged rather
   * than answered with a 503 that only known addresses would get.
   */
  async create(email: string, url: URL, ctx: DeliveryContext): Promise<{ id: string; createdAt: Date; expire: Date }> {
    await this.channels.assertAvailable('email');
    const now = this.clock.now();
    const answer = {
      id: uniqueId(now.getTime()),
      createdAt: now,
      expire: new Date(now.getTime() + this.config.PASSWORD_RECOVERY_TTL_SECONDS * 1000),
    };
    const user = await this.users.findByEmail(email);
    if (!user || !user.status) {
      this.logger.emit('info', 'password recovery not sent', { reason: user ? 'blocked' : 'unknown account' });
      return answer;
    }
    void this.send(user.id, user.name, email, url, answer.id, ctx);
    return answer;
  }

  /** Stores the recovery token `tokenId` and queues its link; never throws (the answer is already given). */
  private async send(userId: string, userName: string, email: string, url: URL, tokenId: string, ctx: DeliveryContext): Promise<void> {
    try {
      const secret = randomHex(32);
      const token = this.verification.newToken(userId, 'recovery', '', email, this.config.PASSWORD_RECOVERY_TTL_SECONDS);
      token.id = tokenId;
      token.secretHash = this.verification.codeHash(token.keyId, token.id, secret);
      const link = new URL(url.toString());
      link.searchParams.set('userId', userId);
      link.searchParams.set('secret', secret);
      link.searchParams.set('expire', token.expire.toISOString());
      await this.verification.issue(
        token,
        OtpDeliveryJobName.PasswordRecoveryLink,
        'email',
        { destination: email, url: link.toString(), ...(userName ? { userName } : {}) },
        ctx,
      );
    } catch (error) {
      this.logger.emit('error', 'password recovery could not be sent', { userId, reason: (error as Error).message });
    }
  }

  /**
   * Sets the new password with a recovery link's `secret`: 401 `user_invalid_token` for a wrong,
   * used, expired or foreign secret. Returns the consumed token.
   */
  async complete(userId: string, secret: string, password: string, request: FastifyRequest): Promise<VerificationTokenEntity> {
    const requester = requesterOf(request);
    const locale = localeOf(request);
    const now = this.clock.now();
    const open = LINK_SECRET_PATTERN.test(secret) ? await this.tokens.findOpen(userId, 'recovery', now) : undefined;
    const valid = !!open && constantTimeEqual(this.verification.codeHash(open.keyId, open.id, secret), open.secretHash);
    if (!open || !valid || !(await this.tokens.consume(open.id, ['open'], now))) {
      this.logger.emit('info', 'password recovery refused', { userId, reason: 'invalid token' });
      throw new AppError('user_invalid_token');
    }
    await this.verification.closeReference(open);
    const user = await this.users.get(userId);
    if (!this.verification.sentTo(open, user.email)) {
      this.logger.emit('info', 'password recovery refused', { userId, reason: 'the address changed since the link was sent' });
      throw new AppError('user_invalid_token');
    }
    if (!user.status) throw new AppError('user_blocked');
    const updated = await this.users.setPassword(user.id, password);
    // the link proved the address, as in Appwrite
    if (!user.emailVerification) await this.users.setEmailVerification(user.id, true);
    await this.audit.record(user.id, AuditEvent.PasswordReset, request);
    const ended = this.config.PASSWORD_RECOVERY_INVALIDATES_SESSIONS ? await this.sessions.deleteAll(user.id, undefined, request) : [];
    this.logger.emit('info', 'password reset', { userId: user.id, sessionsEnded: ended.length });
    await this.notices.notify(updated, SecurityEvent.PasswordReset, requester, { locale });
    return open;
  }
}
