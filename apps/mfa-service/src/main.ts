// Tracing first, before Nest, pg, ioredis and bullmq load (OpenTelemetry patches them as they are required);
// off, at no cost, unless OTEL_* variables ask for it. Keep these two lines above every other import. Nothing
// below loads Nest, pg or ioredis before `create` runs: the app is imported there.
import { bootstrap, startTracing } from '@twostep/observability';
startTracing('mfa-service');
import { loadMfaServiceConfig } from './config/mfa-service.config';

void bootstrap({
  name: 'mfa-service',
  loadConfig: loadMfaServiceConfig,
  // on the signal, readiness and heartbeats turn false at once (auth-api moves new calls away); RPCs are
  // still answered for SHUTDOWN_DRAIN_MS
  create: async (config, logger) => (await import('./app.factory')).createMfaService(config, logger),
  listening: (config, healthPort) => ({
    rpcHost: config.MFA_LISTEN_HOST ?? config.MFA_SERVICE_URL[0].host,
    rpcPort: config.MFA_SERVICE_URL[0].port,
    healthPort,
  }),
  // stop() waits up to MFA_SHUTDOWN_GRACE_MS for RPCs in flight, then closes
  stopGraceMs: (config) => config.MFA_SHUTDOWN_GRACE_MS + 15_000,
});
