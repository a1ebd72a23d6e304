import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Registry } from 'prom-client';
import { parseKeyring } from '@twostep/crypto';
import { mfaDataSourceOptions } from '@twostep/mfa-data-access';
import { JsonLogger } from '@twostep/observability';
import { Clock, CoreModule } from '@twostep/platform';
import { ChallengesModule } from './challenges/challenges.module';
import { MFA_SERVICE_CONFIG, MfaServiceConfig } from './config/mfa-service.config';
import { InFlightInterceptor, InFlightRequests } from './core/in-flight.interceptor';
import { MfaSecrets } from './core/mfa-secrets.service';
import { MFA_KEYRING } from './core/tokens';
import { MfaMetrics } from './metrics/mfa-metrics.service';
import { RpcMetricsInterceptor } from './metrics/rpc-metrics.interceptor';
import { MfaRpcExceptionFilter } from './core/rpc-exception.filter';
import { FactorsModule } from './factors/factors.module';
import { ReadinessChecks } from './health/readiness-checks';
import { MfaDataModule } from './persistence/mfa-data.module';
import { HeartbeatController } from './ping/heartbeat.controller';
import { PingController } from './ping/ping.controller';
import { RecoveryCodesModule } from './recovery-codes/recovery-codes.module';
import { TotpModule } from './totp/totp.module';

@Module({})
export class AppModule {
  static forRoot(config: MfaServiceConfig, logger: JsonLogger, registry: Registry, clock?: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot({
          service: 'mfa-service',
          config,
          configToken: MFA_SERVICE_CONFIG,
          logger,
          registry,
          clock,
          producers: {
            redisUrl: config.REDIS_URL,
            keyPrefix: config.REDIS_KEY_PREFIX,
            challengeTtlSeconds: config.MFA_CHALLENGE_TTL_SECONDS,
          },
          providers: [
            { provide: MFA_KEYRING, useFactory: () => parseKeyring(config.MFA_ENCRYPTION_KEY) },
            MfaSecrets,
            MfaMetrics,
            InFlightRequests,
          ],
        }),
        TypeOrmModule.forRoot({ ...mfaDataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE), retryAttempts: 0 }),
        MfaDataModule,
        TotpModule,
        RecoveryCodesModule,
        ChallengesModule,
        FactorsModule,
      ],
      controllers: [PingController, HeartbeatController],
      providers: [
        { provide: APP_FILTER, useClass: MfaRpcExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: InFlightInterceptor },
        { provide: APP_INTERCEPTOR, useClass: RpcMetricsInterceptor },
        ReadinessChecks,
      ],
    };
  }
}
