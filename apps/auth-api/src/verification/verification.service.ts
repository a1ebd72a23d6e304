import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { FastifyRequest } from 'fastify';
import { UserEntity, VerificationKind, VerificationTokenEntity } from '@twostep/auth-data-access';
import {
  AppError,
  CreateEmailVerificationBody,
  JobId,
  LINK_SECRET_PATTERN,
  OTP_CODE_PATTERN,
  OtpDeliveryJob,
  OtpDeliveryJobName,
  OtpDeliverySecret,
  QueueName,
  RequesterInfo,
  SharedRedisKey,
  SMS_INCAPABLE_MESSAGE,
  smsCapablePhone,
  UserSecretBody,
} from '@twostep/contracts';
import { constantTimeEqual, deriveKey, keyedHash, Keyring, randomDigits, randomHex, sha256Hex, uniqueId } from '@twostep/crypto';
import { JsonLogger, requestContext } from '@twostep/observability';
import { Clock, CLOCK, LOGGER, OTP_DELIVERY_QUEUE, type OtpDeliveryProducer, QUEUE_KEYRING, REDIS } from '@twostep/platform';
import { ChannelsService } from '../channels/channels.service';
import { sealedJob } from '../common/jobs/sealed-job';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { localeOf, requesterOf } from '../common/http/request-info';
import { TokenModel, tokenModel } from './token.model';
import { UsersService } from '../users/users.service';
import { VerificationTokensRepository } from './verification-tokens.repository';

/** Who asked, in which language: shown in the message. */
export interface DeliveryContext {
  requester?: RequesterInfo;
  locale: string;
}

/**
 * Email and phone verification (Appwrite's Token flows), stricter than Appwrite:
 *  - email: a 256-bit secret in a link (`url?userId=…&secret=…&expire=…`), valid EMAIL_VERIFICATION_TTL_SECONDS;
 *    stored as SHA-256;
 *  - phone: a 6-digit code by SMS, valid PHONE_VERIFICATION_TTL_SECONDS, stored as a keyed hash,
 *    at most PHONE_VERIFICATION_MAX_ATTEMPTS guesses;
 *  - single use (conditional UPDATE), one open token per user and kind (a new one supersedes the
 *    old and closes its delivery), bound to the address it was sent to;
 *  - messages go to the notifier over BullMQ with the address, link or code sealed.
 */
@Injectable()
export class VerificationService {
  constructor(
    private readonly tokens: VerificationTokensRepository,
    private readonly users: UsersService,
    private readonly channels: ChannelsService,
    @Inject(OTP_DELIVERY_QUEUE) private readonly queue: OtpDeliveryProducer,
    @Inject(QUEUE_KEYRING) private readonly keyring: Keyring,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {}

  /** Sends a verification link for the user's email to `url` + `?userId&secret&expire`. */
  /** POST /v1/account/verifications/email (and `/verification`). */
  async requestEmailVerification(user: UserEntity, input: CreateEmailVerificationBody, request: FastifyRequest): Promise<TokenModel> {
    return tokenModel(await this.createEmailVerification(user, input.url, { requester: requesterOf(request), locale: localeOf(request) }));
  }

  /** POST /v1/account/verifications/phone (and `/verification/phone`). */
  async requestPhoneVerification(user: UserEntity, request: FastifyRequest): Promise<TokenModel> {
    return tokenModel(await this.createPhoneVerification(user, { requester: requesterOf(request), locale: localeOf(request) }));
  }

  /** PUT /v1/account/verifications/email (and `/verification`). */
  async completeEmailVerification(input: UserSecretBody): Promise<TokenModel> {
    return tokenModel((await this.confirmEmail(input.userId, input.secret)).token);
  }

  /** PUT /v1/account/verifications/phone (and `/verification/phone`). */
  async completePhoneVerification(input: UserSecretBody): Promise<TokenModel> {
    return tokenModel((await this.confirmPhone(input.userId, input.secret)).token);
  }

  async createEmailVerification(user: UserEntity, url: URL | string, ctx: DeliveryContext): Promise<VerificationTokenEntity> {
    if (!user.email) throw new AppError('user_email_not_found');
    await this.channels.assertAvailable('email');
    const secret = randomHex(32);
    const token = this.newToken(user.id, 'email', sha256Hex(secret), user.email, this.config.EMAIL_VERIFICATION_TTL_SECONDS);
    const link = new URL(url.toString());
    link.searchParams.set('userId', user.id);
    link.searchParams.set('secret', secret);
    link.searchParams.set('expire', token.expire.toISOString());
    await this.issue(
      token,
      OtpDeliveryJobName.EmailVerificationLink,
      'email',
      { destination: user.email, url: link.toString(), ...(user.name ? { userName: user.name } : {}) },
      ctx,
    );
    return token;
  }

  /** Sends a 6-digit code to the user's phone by SMS. */
  async createPhoneVerification(user: UserEntity, ctx: DeliveryContext): Promise<VerificationTokenEntity> {
    if (!user.phone) throw new AppError('user_phone_not_found');
    // a number stored before the type rule (or by an admin import) is refused before anything is queued
    if (!smsCapablePhone(user.phone)) throw new AppError('general_argument_invalid', SMS_INCAPABLE_MESSAGE);
    await this.channels.assertAvailable('sms');
    const code = randomDigits(6);
    const token = this.newToken(user.id, 'phone', '', user.phone, this.config.PHONE_VERIFICATION_TTL_SECONDS);
    token.secretHash = this.codeHash(token.keyId, token.id, code);
    await this.issue(
      token,
      OtpDeliveryJobName.PhoneVerificationCode,
      'sms',
      { destination: user.phone, code, ...(user.name ? { userName: user.name } : {}) },
      ctx,
    );
    return token;
  }

  /** Completes an email verification link: marks the email verified. 401 `user_invalid_token` otherwise. */
  async confirmEmail(userId: string, secret: string): Promise<{ token: VerificationTokenEntity; user: UserEntity }> {
    const now = this.clock.now();
    const token = LINK_SECRET_PATTERN.test(secret) ? await this.tokens.consumeBySecret(userId, 'email', sha256Hex(secret), now) : undefined;
    if (!token) throw this.invalid(userId, 'email');
    await this.closeReference(token);
    return { token, user: await this.markVerified(token) };
  }

  /** Completes a phone verification code: marks the phone verified. 401 `user_invalid_token` otherwise. */
  async confirmPhone(userId: string, code: string): Promise<{ token: VerificationTokenEntity; user: UserEntity }> {
    const now = this.clock.now();
    const open = await this.tokens.findOpen(userId, 'phone', now);
    if (!open) throw this.invalid(userId, 'phone');
    // reserve the attempt before evaluating it: concurrent guesses cannot exceed the limit
    const reserved = await this.tokens.reserveAttempt(open.id, this.config.PHONE_VERIFICATION_MAX_ATTEMPTS, now);
    if (!reserved) throw this.invalid(userId, 'phone');
    const matches = OTP_CODE_PATTERN.test(code) && constantTimeEqual(this.codeHash(reserved.keyId, reserved.id, code), reserved.secretHash);
    if (!matches || !(await this.tokens.consume(reserved.id, ['open', 'exhausted'], now))) {
      if (reserved.state === 'exhausted') await this.closeReference(reserved);
      throw this.invalid(userId, 'phone', reserved.attempts);
    }
    await this.closeReference(reserved);
    return { token: reserved, user: await this.markVerified(reserved) };
  }

  /** Closes the user's open token of `kind` (the address changed), and its pending delivery. */
  async closeOpen(userId: string, kind: VerificationKind): Promise<void> {
    const ids = await this.tokens.closeOpen(userId, kind);
    for (const id of ids) await this.setClosed(id, this.ttlOf(kind));
  }

  /** A new open token (not stored yet) for `destination`, valid `ttlSeconds`. */
  newToken(userId: string, kind: VerificationKind, secretHash: string, destination: string, ttlSeconds: number): VerificationTokenEntity {
    const now = this.clock.now();
    const token = new VerificationTokenEntity();
    token.id = uniqueId(now.getTime());
    token.userId = userId;
    token.kind = kind;
    token.secretHash = secretHash;
    token.keyId = this.keyring.active.id;
    token.destinationHash = this.destinationHash(token.keyId, kind, destination);
    token.attempts = 0;
    token.state = 'open';
    token.expire = new Date(now.getTime() + ttlSeconds * 1000);
    token.consumedAt = null;
    token.createdAt = now;
    return token;
  }

  /**
   * Stores the token (superseding the previous one) and queues its sealed delivery; 503 if it cannot be
   * queued. The job is checked against its contract first: a malformed one stores and queues nothing.
   */
  async issue(
    token: VerificationTokenEntity,
    name: OtpDeliveryJobName,
    channel: 'email' | 'sms',
    secret: OtpDeliverySecret,
    ctx: DeliveryContext,
  ): Promise<void> {
    // checked before the token is stored: a job the notifier would refuse is a bug (InvalidJobError), not a 503
    const job = sealedJob<typeof QueueName.OtpDelivery, OtpDeliverySecret, OtpDeliveryJob>(
      QueueName.OtpDelivery,
      name,
      secret,
      this.keyring,
      {
        name,
        channel,
        referenceId: token.id,
        userId: token.userId,
        locale: ctx.locale,
        projectName: this.config.APP_PROJECT_NAME,
        expiresAt: token.expire.toISOString(),
        requestedAt: token.createdAt.toISOString(),
        ...(ctx.requester ? { requester: ctx.requester } : {}),
        ...requestContext.jobField(),
      },
    );
    const superseded = await this.tokens.replaceOpen(token, token.createdAt);
    for (const id of superseded) await this.setClosed(id, this.ttlOf(token.kind));
    try {
      await this.queue.add(name, job, JobId.verification(token.id));
    } catch (error) {
      // the token cannot be used without its message: remove it and let the client retry
      await this.tokens.delete(token.id).catch(() => undefined);
      this.logger.emit('error', 'verification message could not be queued', {
        userId: token.userId,
        kind: token.kind,
        reason: (error as Error).message,
      });
      throw new AppError('general_service_unavailable', undefined, { retryAfterSeconds: 1 });
    }
    this.logger.emit('info', 'verification message queued', { userId: token.userId, kind: token.kind, referenceId: token.id });
  }

  /** Marks the address verified if it is still the one the token was sent to. */
  private async markVerified(token: VerificationTokenEntity): Promise<UserEntity> {
    const user = await this.users.get(token.userId);
    const current = token.kind === 'email' ? user.email : user.phone;
    if (!current || !constantTimeEqual(this.destinationHash(token.keyId, token.kind, current), token.destinationHash)) {
      this.logger.emit('info', 'verification token refused: the address changed since it was sent', { userId: user.id, kind: token.kind });
      throw new AppError('user_invalid_token');
    }
    const updated =
      token.kind === 'email' ? await this.users.setEmailVerification(user.id, true) : await this.users.setPhoneVerification(user.id, true);
    this.logger.emit('info', 'address verified', { userId: user.id, kind: token.kind });
    return updated;
  }

  private invalid(userId: string, kind: VerificationKind, attempts?: number): AppError {
    this.logger.emit('info', 'verification refused', { userId, kind, ...(attempts !== undefined ? { attempts } : {}) });
    return new AppError('user_invalid_token');
  }

  private keyFor(keyId: string, purpose: string): Buffer {
    const key = this.keyring.byId.get(keyId);
    // a token made with a key that has since been removed can no longer be checked
    if (!key) throw new AppError('user_invalid_token');
    return deriveKey(key.material, purpose);
  }

  /** The keyed hash a code or link secret of the token `tokenId` is stored as. */
  codeHash(keyId: string, tokenId: string, code: string): string {
    return keyedHash(this.keyFor(keyId, 'auth-verification-code'), tokenId, code);
  }

  destinationHash(keyId: string, kind: VerificationKind, destination: string): string {
    return keyedHash(this.keyFor(keyId, 'auth-verification-destination'), kind, destination.toLowerCase());
  }

  /** True when `address` is still the address the token was sent to. */
  sentTo(token: VerificationTokenEntity, address: string | null): boolean {
    return !!address && constantTimeEqual(this.destinationHash(token.keyId, token.kind, address), token.destinationHash);
  }

  private ttlOf(kind: VerificationKind): number {
    switch (kind) {
      case 'email':
        return this.config.EMAIL_VERIFICATION_TTL_SECONDS;
      case 'phone':
        return this.config.PHONE_VERIFICATION_TTL_SECONDS;
      case 'signin_email':
      case 'signin_phone':
        return this.config.SIGN_IN_CODE_TTL_SECONDS;
      case 'magic_url':
        return this.config.MAGIC_URL_TTL_SECONDS;
      case 'recovery':
        return this.config.PASSWORD_RECOVERY_TTL_SECONDS;
    }
  }

  /** Tells the notifier not to deliver a pending message of this (consumed or burnt) token any more. */
  async closeReference(token: VerificationTokenEntity): Promise<void> {
    const remaining = Math.ceil((token.expire.getTime() - this.clock.now().getTime()) / 1000);
    await this.setClosed(token.id, Math.max(60, remaining + 60));
  }

  /** Tells the notifier that a pending message for this token must not be delivered any more. */
  private async setClosed(referenceId: string, ttlSeconds: number): Promise<void> {
    try {
      await this.redis.set(SharedRedisKey.closedReference(this.config.REDIS_KEY_PREFIX, referenceId), '1', 'EX', Math.max(60, ttlSeconds));
    } catch (error) {
      this.logger.emit('warn', 'could not mark a verification reference closed', { referenceId, reason: (error as Error).message });
    }
  }
}
