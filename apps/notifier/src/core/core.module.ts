import { DynamicModule, Global, Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { parseKeyring } from '@twostep/crypto';
import { createRedis } from '@twostep/messaging';
import { JsonLogger } from '@twostep/observability';
import { channelModes, NOTIFIER_CONFIG, NotifierConfig } from '../config/notifier.config';
import { NotifierMetrics } from './notifier-metrics.service';
import { CHANNEL_MODES, CLIENT_REDIS, CLOCK, Clock, LOGGER, METRICS, QUEUE_KEYRING, systemClock, WORKER_REDIS } from './tokens';

/**
 * Process-wide infrastructure, built from the validated config: logger, metrics, clock, the queue
 * keyring, the channel modes and two Redis connections (one that waits through outages for the
 * workers and their jobs, one that fails fast for heartbeats, readiness and metrics). Their
 * closing order is owned by `NotifierRuntime`.
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: NotifierConfig, logger: JsonLogger, registry: Registry, clock: Clock = systemClock): DynamicModule {
    const onRedisError = (role: string) => (err: Error) => logger.emit('warn', 'redis connection error', { role, reason: err.message });
    const name = `notifier:${config.REDIS_KEY_PREFIX}`;
    return {
      module: CoreModule,
      providers: [
        { provide: NOTIFIER_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: METRICS, useValue: registry },
        { provide: CLOCK, useValue: clock },
        { provide: CHANNEL_MODES, useValue: channelModes(config) },
        { provide: QUEUE_KEYRING, useFactory: () => parseKeyring(config.QUEUE_ENCRYPTION_KEY) },
        { provide: WORKER_REDIS, useFactory: () => createRedis(config.REDIS_URL, 'worker', `${name}:worker`, onRedisError('worker')) },
        { provide: CLIENT_REDIS, useFactory: () => createRedis(config.REDIS_URL, 'client', `${name}:client`, onRedisError('client')) },
        NotifierMetrics,
      ],
      exports: [NOTIFIER_CONFIG, LOGGER, METRICS, CLOCK, CHANNEL_MODES, QUEUE_KEYRING, WORKER_REDIS, CLIENT_REDIS, NotifierMetrics],
    };
  }
}
