// Tracing first, before Nest, pg, ioredis and bullmq load (OpenTelemetry patches them as they are required);
// off, at no cost, unless OTEL_* variables ask for it. Keep these two lines above every other import. Nothing
// below loads Nest, pg or ioredis before `create` runs: the app is imported there.
import { bootstrap, startTracing } from '@twostep/observability';
startTracing('auth-api');
import { loadAuthApiConfig } from './config/auth-api.config';

void bootstrap({
  name: 'auth-api',
  loadConfig: loadAuthApiConfig,
  create: async (config, logger) => (await import('./app.factory')).createAuthApiService(config, logger),
  listening: (config, healthPort) => ({
    host: config.HOST,
    port: config.PORT,
    healthHost: config.HEALTH_HOST,
    healthPort,
    project: config.APP_PROJECT_ID,
  }),
  // after the drain Fastify answers 503 to new requests, finishes the ones in flight and closes
  stopGraceMs: () => 25_000,
});
