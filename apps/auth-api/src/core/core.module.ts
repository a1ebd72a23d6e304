import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { Registry } from 'prom-client';
import { QueueName, OtpDeliveryJob, OtpDeliveryJobName, SecurityNoticeJob, SecurityNoticeJobName } from '@twostep/contracts';
import { parseKeyring } from '@twostep/crypto';
import { bullPrefix, closeRedis, createRedis, defaultQueuePolicy, QueueProducer } from '@twostep/messaging';
import { createMetricsRegistry, JsonLogger } from '@twostep/observability';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { MfaClient } from '../mfa-client/mfa-client.service';
import { AuthMetrics } from './auth-metrics.service';
import { Clock, CLOCK, LOGGER, METRICS, OTP_DELIVERY_QUEUE, QUEUE_KEYRING, REDIS, SECURITY_NOTICES_QUEUE, systemClock } from './tokens';

export type OtpDeliveryProducer = QueueProducer<OtpDeliveryJob, OtpDeliveryJobName>;
export type SecurityNoticeProducer = QueueProducer<SecurityNoticeJob, SecurityNoticeJobName>;

/**
 * Process-wide infrastructure for auth-api: logger, metrics, Redis, queue producers, the mfa-service
 * client and the clock. Built from the validated config passed to {@link CoreModule.forRoot}.
 */
@Global()
@Module({})
export class CoreModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(OTP_DELIVERY_QUEUE) private readonly otpQueue: OtpDeliveryProducer,
    @Inject(SECURITY_NOTICES_QUEUE) private readonly noticeQueue: SecurityNoticeProducer,
  ) {}

  static forRoot(config: AuthApiConfig, logger: JsonLogger, clock: Clock = systemClock) {
    const redisFactory = () =>
      createRedis(config.REDIS_URL, 'client', 'auth-api', (err) => logger.emit('warn', 'redis connection error', { reason: err.message }));
    return {
      module: CoreModule,
      providers: [
        { provide: AUTH_API_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: METRICS, useFactory: (): Registry => createMetricsRegistry('auth-api') },
        { provide: CLOCK, useValue: clock },
        { provide: REDIS, useFactory: redisFactory },
        { provide: QUEUE_KEYRING, useFactory: () => parseKeyring(config.QUEUE_ENCRYPTION_KEY) },
        {
          provide: OTP_DELIVERY_QUEUE,
          useFactory: (redis: Redis) =>
            new QueueProducer<OtpDeliveryJob, OtpDeliveryJobName>(
              QueueName.OtpDelivery,
              redis,
              bullPrefix(config.REDIS_KEY_PREFIX),
              defaultQueuePolicy(QueueName.OtpDelivery),
            ),
          inject: [REDIS],
        },
        {
          provide: SECURITY_NOTICES_QUEUE,
          useFactory: (redis: Redis) =>
            new QueueProducer<SecurityNoticeJob, SecurityNoticeJobName>(
              QueueName.SecurityNotices,
              redis,
              bullPrefix(config.REDIS_KEY_PREFIX),
              defaultQueuePolicy(QueueName.SecurityNotices),
            ),
          inject: [REDIS],
        },
        MfaClient,
        AuthMetrics,
      ],
      exports: [
        AUTH_API_CONFIG,
        LOGGER,
        METRICS,
        CLOCK,
        REDIS,
        QUEUE_KEYRING,
        OTP_DELIVERY_QUEUE,
        SECURITY_NOTICES_QUEUE,
        MfaClient,
        AuthMetrics,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.otpQueue.close(), this.noticeQueue.close()]);
    await closeRedis(this.redis);
  }
}
