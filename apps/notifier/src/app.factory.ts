import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { createMetricsRegistry, HealthRoute, HealthServer, JsonLogger, ServiceApp } from '@twostep/observability';
import type { Clock } from '@twostep/platform';
import { AppModule } from './app.module';
import { ChannelRegistry } from './channels/channel-registry.service';
import { NotifierConfig } from './config/notifier.config';
import { DEV_OUTBOX_PATH, devOutboxRoute } from './outbox/dev-outbox.route';
import { NotifierRuntime } from './workers/notifier-runtime.service';

export interface NotifierApp extends ServiceApp {
  app: INestApplicationContext;
  health: HealthServer;
  /** starts the workers, the heartbeat and the health server; returns the health port */
  start(): Promise<number>;
  /** SIGTERM: readiness false; the workers keep taking jobs until `stop` */
  markLeaving(): void;
  /** readiness false, no new jobs, active jobs finished, connections closed */
  stop(): Promise<void>;
}

export interface NotifierOverrides {
  /** a clock other than the system's (tests) */
  clock?: Clock;
}

export async function createNotifier(config: NotifierConfig, logger: JsonLogger, overrides: NotifierOverrides = {}): Promise<NotifierApp> {
  const registry = createMetricsRegistry('notifier');
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, logger, registry, overrides.clock), {
    logger,
    abortOnError: false,
  });
  const runtime = app.get(NotifierRuntime);
  const routes: Record<string, HealthRoute> = {};
  const outbox = app.get(ChannelRegistry).outbox;
  // every code in clear: only on an explicitly development, loopback-only listener
  if (outbox && config.devOutboxServed) routes[DEV_OUTBOX_PATH] = devOutboxRoute(outbox);
  const health = new HealthServer(runtime.readinessChecks(), registry, { routes });
  return {
    app,
    health,
    async start() {
      await runtime.start();
      return health.listen(config.HEALTH_PORT, config.HEALTH_HOST);
    },
    markLeaving() {
      health.markShuttingDown();
    },
    async stop() {
      health.markShuttingDown();
      await runtime.stop();
      await app.close();
      await health.close();
    },
  };
}
