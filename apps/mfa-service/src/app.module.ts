import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Registry } from 'prom-client';
import { mfaDataSourceOptions } from '@twostep/mfa-data-access';
import { JsonLogger } from '@twostep/observability';
import { ChallengesModule } from './challenges/challenges.module';
import { MfaServiceConfig } from './config/mfa-service.config';
import { CoreModule } from './core/core.module';
import { InFlightInterceptor } from './core/in-flight.interceptor';
import { RpcMetricsInterceptor } from './metrics/rpc-metrics.interceptor';
import { MfaRpcExceptionFilter } from './core/rpc-exception.filter';
import { Clock } from './core/tokens';
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
        CoreModule.forRoot(config, logger, registry, clock),
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
