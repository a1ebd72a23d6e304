import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import type { INestMicroservice } from '@nestjs/common';
import { Registry } from 'prom-client';
import { parseKeyring, rpcKeys } from '@twostep/crypto';
import { createMetricsRegistry, HealthServer, JsonLogger, ServiceApp } from '@twostep/observability';
import { Clock } from '@twostep/platform';
import { AppModule } from './app.module';
import { DeliveryResultsProcessor } from './challenges/delivery-results.processor';
import { MfaServiceConfig } from './config/mfa-service.config';
import { authenticatedSocketClass, rpcAuthMetrics } from './core/authenticated-json-socket';
import { InFlightRequests } from './core/in-flight.interceptor';
import { ReadinessChecks } from './health/readiness-checks';

export interface MfaServiceApp extends ServiceApp {
  app: INestMicroservice;
  health: HealthServer;
  registry: Registry;
  /** starts the RPC listener, the delivery-results worker and the health server; returns the health port */
  start(): Promise<number>;
  /** SIGTERM: readiness false and heartbeats refused (auth-api moves away), calls still answered */
  markLeaving(): void;
  /** readiness false, stop taking RPCs, finish in-flight work, close the worker, queues and connections */
  stop(): Promise<void>;
}

/** What tests (or an embedding process) may replace. */
export interface MfaServiceOverrides {
  /** the one clock for expiry and TOTP time */
  clock?: Clock;
  registry?: Registry;
}

export async function createMfaService(
  config: MfaServiceConfig,
  logger: JsonLogger,
  overrides: MfaServiceOverrides = {},
): Promise<MfaServiceApp> {
  const listen = config.MFA_SERVICE_URL[0];
  const registry = overrides.registry ?? createMetricsRegistry('mfa-service');
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(AppModule.forRoot(config, logger, registry, overrides.clock), {
    transport: Transport.TCP,
    // every message is authenticated with MFA_RPC_KEY before a handler sees it (see authenticated-json-socket.ts)
    options: {
      host: config.MFA_LISTEN_HOST,
      port: listen.port,
      socketClass: authenticatedSocketClass(rpcKeys(parseKeyring(config.MFA_RPC_KEY)), rpcAuthMetrics(registry), logger),
    },
    logger,
    abortOnError: false,
  });
  const readiness = app.get(ReadinessChecks);
  const health = new HealthServer(readiness.checks(), registry);
  let stopping: Promise<void> | undefined;
  return {
    app,
    health,
    registry,
    async start() {
      await app.listen();
      app.get(DeliveryResultsProcessor).start();
      return health.listen(config.HEALTH_PORT, config.HEALTH_HOST);
    },
    markLeaving() {
      health.markShuttingDown();
      app.get(InFlightRequests).announceLeaving();
    },
    stop() {
      stopping ??= (async () => {
        health.markShuttingDown();
        const drained = await app.get(InFlightRequests).drain(config.MFA_SHUTDOWN_GRACE_MS);
        if (!drained)
          logger.emit('warn', 'shutdown grace period over with RPCs still in flight', { graceMs: config.MFA_SHUTDOWN_GRACE_MS });
        await app.get(DeliveryResultsProcessor).close();
        await app.close();
        await health.close();
      })();
      return stopping;
    },
  };
}
