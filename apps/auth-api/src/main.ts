import 'reflect-metadata';
import { ConfigError } from '@twostep/config';
import { JsonLogger, onShutdownSignal } from '@twostep/observability';
import { reportRedisSafety } from '@twostep/messaging';
import type Redis from 'ioredis';
import { REDIS } from '@twostep/platform';
import { createAuthApi, createManagementServer } from './app.factory';
import { loadAuthApiConfig } from './config/auth-api.config';

async function main(): Promise<void> {
  let config;
  try {
    config = loadAuthApiConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`auth-api: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = new JsonLogger('auth-api', config.LOG_LEVEL);
  const app = await createAuthApi(config, logger);
  const health = createManagementServer(app);
  await app.listen({ port: config.PORT, host: config.HOST });
  const healthPort = await health.listen(config.HEALTH_PORT, config.HEALTH_HOST);
  logger.info('auth-api listening', {
    host: config.HOST,
    port: config.PORT,
    healthHost: config.HEALTH_HOST,
    healthPort,
    project: config.APP_PROJECT_ID,
  });
  void reportRedisSafety(app.get<Redis>(REDIS), config.NODE_ENV === 'production', (level, message, fields) =>
    logger.emit(level, message, fields),
  );
  onShutdownSignal(
    async () => {
      // after the drain: Fastify answers 503 to new requests, finishes in-flight ones and closes
      await app.close();
      await health.close();
      logger.info('auth-api stopped');
    },
    (msg) => logger.info(msg),
    25_000,
    // readiness turns false at once; requests are still served for SHUTDOWN_DRAIN_MS
    { notReady: () => health.markShuttingDown(), drainMs: config.SHUTDOWN_DRAIN_MS },
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`auth-api failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
