// Tracing first: branch otel adds `startTracing('notifier')` (libs/observability/src/tracing.ts) here, above the
// imports below (TypeScript's CommonJS output keeps this order). Nothing below loads Nest, pg or ioredis
// before `create` runs: the app is imported there.
import { bootstrap } from '@twostep/observability';
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
