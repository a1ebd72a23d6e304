import { Inject, Injectable } from '@nestjs/common';
import type { UserEntity } from '@twostep/auth-data-access';
import {
  JobId,
  QueueName,
  RequesterInfo,
  SecurityEvent,
  SecurityNoticeJob,
  SecurityNoticeJobName,
  SecurityNoticeSecret,
} from '@twostep/contracts';
import { Keyring, uniqueId } from '@twostep/crypto';
import { JsonLogger, requestContext } from '@twostep/observability';
import type Redis from 'ioredis';
import { Clock, CLOCK, LOGGER, QUEUE_KEYRING, REDIS, SECURITY_NOTICES_QUEUE, type SecurityNoticeProducer } from '@twostep/platform';
import { sealedJob } from '../common/jobs/sealed-job';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';

/**
 * Out-of-band notices about changes to a user's authentication ("your password was changed",
 * "MFA was turned off"), emailed by the notifier. The address and name travel sealed.
 *
 * The change has already happened when a notice is sent, so a notice that cannot be queued (or that
 * its contract refuses) is logged (event and user id only) and does not fail the request.
 */
@Injectable()
export class SecurityNoticesService {
  constructor(
    @Inject(SECURITY_NOTICES_QUEUE) private readonly queue: SecurityNoticeProducer,
    @Inject(QUEUE_KEYRING) private readonly keyring: Keyring,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: JsonLogger,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /**
   * Like {@link notify}, but at most once per user and event in `periodSeconds` (for events a caller
   * can provoke repeatedly, such as a rejected replay: a notice, not a way to flood a mailbox).
   */
  async notifyAtMostEvery(
    periodSeconds: number,
    user: Pick<UserEntity, 'id' | 'email' | 'name'>,
    event: SecurityEvent,
    requester?: RequesterInfo,
    opts: { locale?: string } = {},
  ): Promise<boolean> {
    let first: string | null;
    try {
      first = await this.redis.set(`${this.config.REDIS_KEY_PREFIX}:notice-sent:${event}:${user.id}`, '1', 'EX', periodSeconds, 'NX');
    } catch (error) {
      this.logger.emit('warn', 'security notice throttle unavailable; notice not queued', {
        event,
        userId: user.id,
        error: (error as Error).message,
      });
      return false;
    }
    return first === 'OK' ? this.notify(user, event, requester, opts) : false;
  }

  /**
   * Queues a notice about `event` to the user's email (or to `opts.email`, e.g. the previous address
   * after an email change). Users without an email get no notice. Resolves true when queued.
   */
  async notify(
    user: Pick<UserEntity, 'id' | 'email' | 'name'>,
    event: SecurityEvent,
    requester?: RequesterInfo,
    opts: { email?: string | null; locale?: string } = {},
  ): Promise<boolean> {
    const email = opts.email ?? user.email;
    if (!email) return false;
    const noticeId = uniqueId(this.clock.now().getTime());
    const name = SecurityNoticeJobName.Notice;
    try {
      const job = sealedJob<typeof QueueName.SecurityNotices, SecurityNoticeSecret, SecurityNoticeJob>(
        QueueName.SecurityNotices,
        name,
        { email, ...(user.name ? { userName: user.name } : {}) },
        this.keyring,
        {
          name,
          noticeId,
          event,
          userId: user.id,
          locale: opts.locale ?? 'en',
          projectName: this.config.APP_PROJECT_NAME,
          occurredAt: this.clock.now().toISOString(),
          ...(requester ? { requester } : {}),
          ...requestContext.jobField(),
        },
      );
      await this.queue.add(name, job, JobId.securityNotice(noticeId));
      this.logger.emit('info', 'security notice queued', { userId: user.id, event, noticeId });
      return true;
    } catch (error) {
      this.logger.emit('error', 'security notice could not be queued', { userId: user.id, event, reason: (error as Error).message });
      return false;
    }
  }
}
