// Tracing first: branch otel adds `startTracing('mfa-service')` (libs/observability/src/tracing.ts) here, above the
// imports below (TypeScript's CommonJS output keeps this order). Nothing below loads Nest, pg or ioredis
// before `create` runs: the app is imported there.
import { bootstrap } from '@twostep/observability';
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
