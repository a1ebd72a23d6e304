import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import {
  assertJob,
  assertSealedContent,
  ChallengeDelivery,
  JobId,
  OtpDeliveryJob,
  OtpDeliveryJobName,
  OtpDeliverySecret,
  QueueName,
  sealContext,
  SharedRedisKey,
} from '@twostep/contracts';
import { Keyring, seal } from '@twostep/crypto';
import { JsonLogger, requestContext } from '@twostep/observability';
import { LOGGER, OTP_DELIVERY_QUEUE, type OtpDeliveryProducer, QUEUE_KEYRING, REDIS } from '@twostep/platform';
import { MFA_SERVICE_CONFIG, MfaServiceConfig } from '../config/mfa-service.config';

export interface ChallengeCodeDelivery {
  challengeId: string;
  userId: string;
  factor: 'email' | 'phone';
  code: string;
  delivery: ChallengeDelivery;
  expiresAt: Date;
  requestedAt: Date;
}

const CHALLENGE_CODE_CONTEXT = sealContext(QueueName.OtpDelivery, OtpDeliveryJobName.MfaChallengeCode);

/**
 * The producer side of the notifier contract: challenge codes go out as `otp-delivery` jobs whose code,
 * destination and name are sealed (Redis only sees ciphertext), under the idempotent id
 * `challenge-<id>`; a challenge that can no longer be completed is announced as a closed reference so
 * that a job still waiting is dropped without contacting the provider.
 */
@Injectable()
export class OtpDeliveryPublisher {
  private readonly keyPrefix: string;

  constructor(
    @Inject(OTP_DELIVERY_QUEUE) private readonly queue: OtpDeliveryProducer,
    @Inject(QUEUE_KEYRING) private readonly keyring: Keyring,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(LOGGER) private readonly logger: JsonLogger,
    @Inject(MFA_SERVICE_CONFIG) config: MfaServiceConfig,
  ) {
    this.keyPrefix = config.REDIS_KEY_PREFIX;
  }

  /** Enqueues the code's delivery. Rejects with QueueUnavailableError within the producer's timeout. */
  async publishChallengeCode(d: ChallengeCodeDelivery): Promise<void> {
    const secret: OtpDeliverySecret = {
      destination: d.delivery.destination,
      code: d.code,
      ...(d.delivery.userName !== undefined ? { userName: d.delivery.userName } : {}),
    };
    assertSealedContent(QueueName.OtpDelivery, secret);
    const job: OtpDeliveryJob = {
      name: OtpDeliveryJobName.MfaChallengeCode,
      channel: d.factor === 'email' ? 'email' : 'sms',
      referenceId: d.challengeId,
      userId: d.userId,
      locale: d.delivery.locale,
      projectName: d.delivery.projectName,
      expiresAt: d.expiresAt.toISOString(),
      requestedAt: d.requestedAt.toISOString(),
      ...(d.delivery.requester ? { requester: d.delivery.requester } : {}),
      ...requestContext.jobField(),
      sealed: seal(secret, this.keyring, CHALLENGE_CODE_CONTEXT),
    };
    assertJob(QueueName.OtpDelivery, job);
    await this.queue.add(OtpDeliveryJobName.MfaChallengeCode, job, JobId.challengeCode(d.challengeId));
  }

  /**
   * Marks a challenge closed for the notifier (consumed, exhausted, superseded or purged), with a TTL
   * of its remaining lifetime. Best effort: if Redis is down the job is still dropped at expiry, and the
   * code no longer verifies either way.
   */
  async closeReference(challengeId: string, reason: string, expiresAt: Date, now: Date): Promise<void> {
    const ttlSeconds = Math.ceil((expiresAt.getTime() - now.getTime()) / 1000);
    if (ttlSeconds <= 0) return;
    try {
      await this.redis.set(SharedRedisKey.closedReference(this.keyPrefix, challengeId), reason, 'EX', ttlSeconds);
    } catch (error) {
      this.logger.emit('warn', 'could not mark a challenge closed for the notifier', {
        challengeId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
