import { DynamicModule, Inject, Injectable, InjectionToken, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Registry } from 'prom-client';
import { QueueName } from '@twostep/contracts';
import { parseKeyring } from '@twostep/crypto';
import { bullPrefix, closeRedis, createRedis, defaultQueuePolicy, QueueProducer } from '@twostep/messaging';
import type { JsonLogger } from '@twostep/observability';
import {
  Clock,
  CLOCK,
  LOGGER,
  METRICS,
  OTP_DELIVERY_QUEUE,
  OtpDeliveryProducer,
  QUEUE_KEYRING,
  REDIS,
  SECURITY_NOTICES_QUEUE,
  SecurityNoticeProducer,
  systemClock,
} from './tokens';

/** The Redis connection and job producers of a service that enqueues work (auth-api, mfa-service). */
export interface CoreProducersOptions {
  redisUrl: string;
  /** REDIS_KEY_PREFIX */
  keyPrefix: string;
  /** how long a failed `otp-delivery` job is kept: no longer than a code lives (mfa-service) */
  challengeTtlSeconds?: number;
}

export interface CoreModuleOptions {
  /** the service's name, for connection names and log fields */
  service: string;
  /** the validated config, provided under `configToken` */
  config: object & { QUEUE_ENCRYPTION_KEY: string };
  configToken: InjectionToken;
  logger: JsonLogger;
  registry: Registry;
  clock?: Clock;
  /** REDIS, OTP_DELIVERY_QUEUE and SECURITY_NOTICES_QUEUE, closed on shutdown */
  producers?: CoreProducersOptions;
  /** the service's own process-wide providers (metrics services, extra keyrings, connections); exported too */
  providers?: Provider[];
}

/** Closes the producers and their Redis connection when the application shuts down. */
@Injectable()
class ProducerConnections implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(OTP_DELIVERY_QUEUE) private readonly otpQueue: OtpDeliveryProducer,
    @Inject(SECURITY_NOTICES_QUEUE) private readonly noticeQueue: SecurityNoticeProducer,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.otpQueue.close(), this.noticeQueue.close()]);
    await closeRedis(this.redis);
  }
}

function producerProviders(service: string, logger: JsonLogger, p: CoreProducersOptions): Provider[] {
  const prefix = bullPrefix(p.keyPrefix);
  return [
    {
      provide: REDIS,
      useFactory: () =>
        createRedis(p.redisUrl, 'client', service, (err) => logger.emit('warn', 'redis connection error', { reason: err.message })),
    },
    {
      provide: OTP_DELIVERY_QUEUE,
      useFactory: (redis: Redis): OtpDeliveryProducer =>
        new QueueProducer(
          QueueName.OtpDelivery,
          redis,
          prefix,
          defaultQueuePolicy(QueueName.OtpDelivery, { challengeTtlSeconds: p.challengeTtlSeconds }),
        ),
      inject: [REDIS],
    },
    {
      provide: SECURITY_NOTICES_QUEUE,
      useFactory: (redis: Redis): SecurityNoticeProducer =>
        new QueueProducer(QueueName.SecurityNotices, redis, prefix, defaultQueuePolicy(QueueName.SecurityNotices)),
      inject: [REDIS],
    },
    ProducerConnections,
  ];
}

function tokenOf(provider: Provider): InjectionToken {
  return typeof provider === 'function' ? provider : provider.provide;
}

/**
 * Process-wide infrastructure of every service, global to its feature modules: the config, logger,
 * metrics registry, clock and queue keyring; with `producers`, the Redis connection and the two job
 * producers; plus whatever the service adds (`providers`). Each app's `AppModule` imports it once.
 */
@Module({})
export class CoreModule {
  static forRoot(options: CoreModuleOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: options.configToken, useValue: options.config },
      { provide: LOGGER, useValue: options.logger },
      { provide: METRICS, useValue: options.registry },
      { provide: CLOCK, useValue: options.clock ?? systemClock },
      { provide: QUEUE_KEYRING, useFactory: () => parseKeyring(options.config.QUEUE_ENCRYPTION_KEY) },
      ...(options.producers ? producerProviders(options.service, options.logger, options.producers) : []),
      ...(options.providers ?? []),
    ];
    const exports = providers.map(tokenOf).filter((provided) => provided !== ProducerConnections);
    return { module: CoreModule, global: true, providers, exports };
  }
}
