// Tracing first, before Nest, pg, ioredis and bullmq load (OpenTelemetry patches them as they are required);
// off, at no cost, unless OTEL_* variables ask for it. Keep these two lines above every other import.
import { startTracing } from '@twostep/observability';
startTracing('mfa-service');
import 'reflect-metadata';
import { ConfigError } from '@twostep/config';
import { JsonLogger, onShutdownSignal } from '@twostep/observability';
import { createMfaService } from './app.factory';
import { loadMfaServiceConfig } from './config/mfa-service.config';

async function main(): Promise<void> {
  let config;
  try {
    config = loadMfaServiceConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`mfa-service: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const logger = new JsonLogger('mfa-service', config.LOG_LEVEL);
  const service = await createMfaService(config, logger);
  const healthPort = await service.start();
  logger.info('mfa-service listening', {
    rpcHost: config.MFA_LISTEN_HOST ?? config.MFA_SERVICE_URL[0].host,
    rpcPort: config.MFA_SERVICE_URL[0].port,
    healthPort,
  });
  onShutdownSignal(
    async () => {
      await service.stop();
      logger.info('mfa-service stopped');
    },
    (msg) => logger.info(msg),
    // stop() waits up to MFA_SHUTDOWN_GRACE_MS for RPCs in flight, then closes
    config.MFA_SHUTDOWN_GRACE_MS + 15_000,
    // readiness and heartbeats turn false at once (auth-api moves new calls away); RPCs are still answered for SHUTDOWN_DRAIN_MS
    { notReady: () => service.markLeaving(), drainMs: config.SHUTDOWN_DRAIN_MS },
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`mfa-service failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
