import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { parseKeyring } from '@twostep/crypto';
import { createMetricsRegistry, HealthServer, JsonLogger } from '@twostep/observability';
import { NOTIFIER_CONFIG, NotifierConfig } from './config/notifier.config';
import { CLOCK, LOGGER, METRICS, QUEUE_KEYRING, systemClock } from './core/tokens';

export interface NotifierApp {
  app: INestApplicationContext;
  health: HealthServer;
  start(): Promise<number>;
  stop(): Promise<void>;
}

@Module({})
class NotifierModule {}

export async function createNotifier(config: NotifierConfig, logger: JsonLogger): Promise<NotifierApp> {
  const registry = createMetricsRegistry('notifier');
  const app = await NestFactory.createApplicationContext(
    {
      module: NotifierModule,
      providers: [
        { provide: NOTIFIER_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: METRICS, useValue: registry },
        { provide: CLOCK, useValue: systemClock },
        { provide: QUEUE_KEYRING, useFactory: () => parseKeyring(config.QUEUE_ENCRYPTION_KEY) },
      ],
    },
    { logger, abortOnError: false },
  );
  const health = new HealthServer({}, registry);
  return {
    app,
    health,
    async start() {
      return health.listen(config.HEALTH_PORT);
    },
    async stop() {
      health.markShuttingDown();
      await app.close();
      await health.close();
    },
  };
}
