import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { Registry } from 'prom-client';
import { OtpDeliveryJob, OtpDeliveryJobName, QueueName, SecurityNoticeJob, SecurityNoticeJobName } from '@twostep/contracts';
import { parseKeyring } from '@twostep/crypto';
import { bullPrefix, closeRedis, createRedis, defaultQueuePolicy, QueueProducer } from '@twostep/messaging';
import { JsonLogger } from '@twostep/observability';
import { MFA_SERVICE_CONFIG, MfaServiceConfig } from '../config/mfa-service.config';
import { MfaMetrics } from '../metrics/mfa-metrics.service';
import { InFlightRequests } from './in-flight.interceptor';
import { MfaSecrets } from './mfa-secrets.service';
import {
  Clock,
  CLOCK,
  LOGGER,
  METRICS,
  MFA_KEYRING,
  OTP_DELIVERY_QUEUE,
  QUEUE_KEYRING,
  REDIS,
  SECURITY_NOTICES_QUEUE,
  systemClock,
} from './tokens';

export type OtpDeliveryProducer = QueueProducer<OtpDeliveryJob, OtpDeliveryJobName>;
export type SecurityNoticeProducer = QueueProducer<SecurityNoticeJob, SecurityNoticeJobName>;

@Global()
@Module({})
export class CoreModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(OTP_DELIVERY_QUEUE) private readonly otpQueue: OtpDeliveryProducer,
    @Inject(SECURITY_NOTICES_QUEUE) private readonly noticeQueue: SecurityNoticeProducer,
  ) {}

  static forRoot(config: MfaServiceConfig, logger: JsonLogger, registry: Registry, clock: Clock = systemClock) {
    return {
      module: CoreModule,
      providers: [
        { provide: MFA_SERVICE_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: METRICS, useValue: registry },
        { provide: CLOCK, useValue: clock },
        {
          provide: REDIS,
          useFactory: () =>
            createRedis(config.REDIS_URL, 'client', 'mfa-service', (err) =>
              logger.emit('warn', 'redis connection error', { reason: err.message }),
            ),
        },
        { provide: QUEUE_KEYRING, useFactory: () => parseKeyring(config.QUEUE_ENCRYPTION_KEY) },
        { provide: MFA_KEYRING, useFactory: () => parseKeyring(config.MFA_ENCRYPTION_KEY) },
        {
          provide: OTP_DELIVERY_QUEUE,
          useFactory: (redis: Redis) =>
            new QueueProducer<OtpDeliveryJob, OtpDeliveryJobName>(
              QueueName.OtpDelivery,
              redis,
              bullPrefix(config.REDIS_KEY_PREFIX),
              defaultQueuePolicy(QueueName.OtpDelivery, { challengeTtlSeconds: config.MFA_CHALLENGE_TTL_SECONDS }),
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
        MfaSecrets,
        MfaMetrics,
        InFlightRequests,
      ],
      exports: [
        MFA_SERVICE_CONFIG,
        LOGGER,
        METRICS,
        CLOCK,
        REDIS,
        QUEUE_KEYRING,
        MFA_KEYRING,
        OTP_DELIVERY_QUEUE,
        SECURITY_NOTICES_QUEUE,
        MfaSecrets,
        MfaMetrics,
        InFlightRequests,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.otpQueue.close(), this.noticeQueue.close()]);
    await closeRedis(this.redis);
  }
}
