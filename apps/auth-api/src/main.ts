import 'reflect-metadata';
import { ConfigError } from '@twostep/config';
import { JsonLogger, onShutdownSignal } from '@twostep/observability';
import { createAuthApi } from './app.factory';
import { loadAuthApiConfig } from './config/auth-api.config';
import { ShutdownState } from './health/shutdown-state';

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
  await app.listen({ port: config.PORT, host: config.HOST });
  logger.info('auth-api listening', { port: config.PORT, project: config.APP_PROJECT_ID });
  onShutdownSignal(
    async () => {
      // after the drain: Fastify answers 503 to new requests, finishes in-flight ones and closes
      await app.close();
      logger.info('auth-api stopped');
    },
    (msg) => logger.info(msg),
    25_000,
    // readiness turns false at once; requests are still served for SHUTDOWN_DRAIN_MS
    { notReady: () => (app.get(ShutdownState).stopping = true), drainMs: config.SHUTDOWN_DRAIN_MS },
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`auth-api failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
