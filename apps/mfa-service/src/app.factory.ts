import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import type { INestMicroservice } from '@nestjs/common';
import type { Server, Socket } from 'node:net';
import { Registry } from 'prom-client';
import { createMetricsRegistry, HealthServer, JsonLogger } from '@twostep/observability';
import { AppModule } from './app.module';
import { DeliveryResultsProcessor } from './challenges/delivery-results.processor';
import { MfaServiceConfig } from './config/mfa-service.config';
import { InFlightRequests } from './core/in-flight.interceptor';
import { Clock } from './core/tokens';
import { ReadinessChecks } from './health/readiness-checks';

export interface MfaServiceApp {
  app: INestMicroservice;
  health: HealthServer;
  registry: Registry;
  /** starts the RPC listener, the delivery-results worker and the health server; returns the health port */
  start(): Promise<number>;
  /** readiness false, stop taking RPCs, finish in-flight work, close the worker, queues and connections */
  stop(): Promise<void>;
}

/** What tests (or an embedding process) may replace. */
export interface MfaServiceOverrides {
  /** the one clock for expiry and TOTP time */
  clock?: Clock;
  registry?: Registry;
}

export async function createMfaService(config: MfaServiceConfig, logger: JsonLogger, overrides: MfaServiceOverrides = {}): Promise<MfaServiceApp> {
  const url = new URL(config.MFA_SERVICE_URL);
  const registry = overrides.registry ?? createMetricsRegistry('mfa-service');
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(AppModule.forRoot(config, logger, registry, overrides.clock), {
    transport: Transport.TCP,
    options: { host: config.MFA_LISTEN_HOST, port: Number(url.port || 3001) },
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
      // answers go out at once instead of waiting on Nagle's algorithm while several RPCs share a connection
      app.unwrap<Server>().on('connection', (socket: Socket) => socket.setNoDelay(true));
      app.get(DeliveryResultsProcessor).start();
      return health.listen(config.HEALTH_PORT, config.HEALTH_HOST);
    },
    stop() {
      stopping ??= (async () => {
        health.markShuttingDown();
        const drained = await app.get(InFlightRequests).drain(config.MFA_SHUTDOWN_GRACE_MS);
        if (!drained) logger.emit('warn', 'shutdown grace period over with RPCs still in flight', { graceMs: config.MFA_SHUTDOWN_GRACE_MS });
        await app.get(DeliveryResultsProcessor).close();
        await app.close();
        await health.close();
      })();
      return stopping;
    },
  };
}
