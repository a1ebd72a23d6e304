import { DynamicModule, Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { createRedis } from '@twostep/messaging';
import { JsonLogger } from '@twostep/observability';
import { Clock, CoreModule } from '@twostep/platform';
import { channelModes, NOTIFIER_CONFIG, NotifierConfig } from './config/notifier.config';
import { NotifierMetrics } from './core/notifier-metrics.service';
import { CHANNEL_MODES, CLIENT_REDIS, WORKER_REDIS } from './core/tokens';
import { DeliveryModule } from './delivery/delivery.module';
import { HeartbeatModule } from './heartbeat/heartbeat.module';
import { OtpDeliveryModule } from './otp-delivery/otp-delivery.module';
import { SecurityNoticesModule } from './security-notices/security-notices.module';
import { NotifierRuntime } from './workers/notifier-runtime.service';

@Module({})
export class AppModule {
  static forRoot(config: NotifierConfig, logger: JsonLogger, registry: Registry, clock?: Clock): DynamicModule {
    const onRedisError = (role: string) => (err: Error) => logger.emit('warn', 'redis connection error', { role, reason: err.message });
    const name = `notifier:${config.REDIS_KEY_PREFIX}`;
    return {
      module: AppModule,
      imports: [
        // two Redis connections: one that waits through outages for the workers and their jobs, one that
        // fails fast for heartbeats, readiness and metrics; NotifierRuntime owns their closing order
        CoreModule.forRoot({
          service: 'notifier',
          config,
          configToken: NOTIFIER_CONFIG,
          logger,
          registry,
          clock,
          providers: [
            { provide: CHANNEL_MODES, useValue: channelModes(config) },
            { provide: WORKER_REDIS, useFactory: () => createRedis(config.REDIS_URL, 'worker', `${name}:worker`, onRedisError('worker')) },
            { provide: CLIENT_REDIS, useFactory: () => createRedis(config.REDIS_URL, 'client', `${name}:client`, onRedisError('client')) },
            NotifierMetrics,
          ],
        }),
        DeliveryModule,
        OtpDeliveryModule,
        SecurityNoticesModule,
        HeartbeatModule,
      ],
      providers: [NotifierRuntime],
    };
  }
}
