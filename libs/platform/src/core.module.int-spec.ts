import 'reflect-metadata';
import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type Redis from 'ioredis';
import { Registry } from 'prom-client';
import { JsonLogger } from '@twostep/observability';
import { deleteTestKeys, testInfra, testKey, uniqueTestPrefix } from '@twostep/testing';
import { CoreModule, CoreModuleOptions } from './core.module';
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
} from './tokens';

const APP_CONFIG = Symbol('APP_CONFIG');
const APP_ONLY = Symbol('APP_ONLY');

/** A feature module's provider: sees CoreModule's providers without importing it (the module is global). */
@Injectable()
class Feature {
  constructor(
    @Inject(APP_CONFIG) readonly config: { QUEUE_ENCRYPTION_KEY: string },
    @Inject(LOGGER) readonly logger: JsonLogger,
    @Inject(METRICS) readonly registry: Registry,
    @Inject(CLOCK) readonly clock: Clock,
    @Inject(QUEUE_KEYRING) readonly keyring: unknown,
    @Inject(APP_ONLY) readonly appOnly: string,
  ) {}
}

@Module({ providers: [Feature] })
class FeatureModule {}

function options(extra: Partial<CoreModuleOptions> = {}): CoreModuleOptions {
  return {
    service: 'core-test',
    config: { QUEUE_ENCRYPTION_KEY: testKey() },
    configToken: APP_CONFIG,
    logger: new JsonLogger('core-test', 'fatal'),
    registry: new Registry(),
    providers: [{ provide: APP_ONLY, useValue: 'mine' }],
    ...extra,
  };
}

async function context(opts: CoreModuleOptions) {
  @Module({ imports: [CoreModule.forRoot(opts), FeatureModule] })
  class TestAppModule {}
  return NestFactory.createApplicationContext(TestAppModule, { logger: false, abortOnError: false });
}

describe('CoreModule', () => {
  it("gives every feature module the config, logger, metrics, clock, queue keyring and the app's own providers", async () => {
    const clock: Clock = { now: () => new Date('2030-01-01T00:00:00Z') };
    const opts = options({ clock });
    const app = await context(opts);
    try {
      const feature = app.get(Feature);
      expect(feature.config).toBe(opts.config);
      expect(feature.logger).toBe(opts.logger);
      expect(feature.registry).toBe(opts.registry);
      expect(feature.clock.now().toISOString()).toBe('2030-01-01T00:00:00.000Z');
      expect(feature.keyring).toBeDefined();
      expect(feature.appOnly).toBe('mine');
      // no producers asked for: no Redis connection either
      expect(() => app.get(REDIS)).toThrow();
    } finally {
      await app.close();
    }
  });

  it('uses the system clock unless given another', async () => {
    const app = await context(options());
    try {
      const before = Date.now();
      const now = app.get(Feature).clock.now().getTime();
      expect(now).toBeGreaterThanOrEqual(before);
      expect(now).toBeLessThanOrEqual(Date.now());
    } finally {
      await app.close();
    }
  });

  it('with producers: one Redis connection and both job producers, keyed by REDIS_KEY_PREFIX, closed on shutdown', async () => {
    const { redisUrl } = testInfra();
    const keyPrefix = uniqueTestPrefix('core');
    const app = await context(options({ producers: { redisUrl, keyPrefix, challengeTtlSeconds: 120 } }));
    const redis = app.get<Redis>(REDIS);
    try {
      const otp = app.get<OtpDeliveryProducer>(OTP_DELIVERY_QUEUE);
      expect(app.get(SECURITY_NOTICES_QUEUE)).toBeDefined();
      await otp.add('mfa-challenge-code', {} as never, 'challenge-core-test');
      const [job] = await otp.queue.getJobs(['waiting']);
      // the otp-delivery policy keeps a failed code job no longer than a code lives
      expect(job.opts).toMatchObject({ removeOnFail: { age: 120 } });
      expect(await redis.keys(`*${keyPrefix}*`)).not.toHaveLength(0);
      await otp.queue.obliterate({ force: true });
    } finally {
      await app.close();
      await deleteTestKeys(redisUrl, keyPrefix);
    }
    expect(redis.status).toBe('end');
  });
});
