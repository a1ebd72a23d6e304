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
      // readiness turns false first; Fastify then answers 503 to new requests and finishes in-flight ones
      app.get(ShutdownState).stopping = true;
      await app.close();
      logger.info('auth-api stopped');
    },
    (msg) => logger.info(msg),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`auth-api failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
