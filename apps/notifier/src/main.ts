// Tracing first, before Nest, pg, ioredis and bullmq load (OpenTelemetry patches them as they are required);
// off, at no cost, unless OTEL_* variables ask for it. Keep these two lines above every other import.
import { startTracing } from '@twostep/observability';
startTracing('notifier');
import 'reflect-metadata';
import { ConfigError } from '@twostep/config';
import { JsonLogger, onShutdownSignal } from '@twostep/observability';
import { createNotifier } from './app.factory';
import { loadNotifierConfig } from './config/notifier.config';

async function main(): Promise<void> {
  let config;
  try {
    config = loadNotifierConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`notifier: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const logger = new JsonLogger('notifier', config.LOG_LEVEL);
  const notifier = await createNotifier(config, logger);
  const healthPort = await notifier.start();
  logger.info('notifier started', { healthPort });
  onShutdownSignal(
    async () => {
      await notifier.stop();
      logger.info('notifier stopped');
    },
    (msg) => logger.info(msg),
    60_000,
    // readiness turns false at once; the workers keep taking jobs for SHUTDOWN_DRAIN_MS, then finish the ones in hand
    { notReady: () => notifier.health.markShuttingDown(), drainMs: config.SHUTDOWN_DRAIN_MS },
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`notifier failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
