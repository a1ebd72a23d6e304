import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import type { INestMicroservice } from '@nestjs/common';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { createMetricsRegistry, HealthServer, JsonLogger } from '@twostep/observability';
import { AppModule } from './app.module';
import { MfaServiceConfig } from './config/mfa-service.config';
import { REDIS } from './core/tokens';

export interface MfaServiceApp {
  app: INestMicroservice;
  health: HealthServer;
  /** starts the RPC listener and the health server; returns the health port */
  start(): Promise<number>;
  /** readiness false, stop taking RPCs, finish in-flight work, close connections */
  stop(): Promise<void>;
}

export async function createMfaService(config: MfaServiceConfig, logger: JsonLogger): Promise<MfaServiceApp> {
  const url = new URL(config.MFA_SERVICE_URL);
  const registry = createMetricsRegistry('mfa-service');
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(AppModule.forRoot(config, logger, registry), {
    transport: Transport.TCP,
    options: { host: config.MFA_LISTEN_HOST ?? url.hostname, port: Number(url.port || 3001) },
    logger,
    abortOnError: false,
  });
  const dataSource = app.get(DataSource);
  const redis = app.get<Redis>(REDIS);
  const health = new HealthServer(
    {
      postgres: async () => void (await dataSource.query('SELECT 1')),
      redis: async () => void (await redis.ping()),
    },
    registry,
  );
  return {
    app,
    health,
    async start() {
      await app.listen();
      return health.listen(config.HEALTH_PORT);
    },
    async stop() {
      health.markShuttingDown();
      await app.close();
      await health.close();
    },
  };
}
