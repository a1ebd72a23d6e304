// Tracing first, before Nest, pg, ioredis and bullmq load (OpenTelemetry patches them as they are required);
// off, at no cost, unless OTEL_* variables ask for it. Keep these two lines above every other import. Nothing
// below loads Nest, pg or ioredis before `create` runs: the app is imported there.
import { bootstrap, startTracing } from '@twostep/observability';
startTracing('notifier');
import { loadNotifierConfig } from './config/notifier.config';

void bootstrap({
  name: 'notifier',
  loadConfig: loadNotifierConfig,
  // on the signal readiness turns false at once; the workers keep taking jobs for SHUTDOWN_DRAIN_MS, then
  // finish the ones in hand
  create: async (config, logger) => (await import('./app.factory')).createNotifier(config, logger),
  listening: (_config, healthPort) => ({ healthPort }),
  stopGraceMs: () => 60_000,
});
