import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Registry } from 'prom-client';
import { mfaDataSourceOptions } from '@twostep/mfa-data-access';
import { JsonLogger } from '@twostep/observability';
import { MfaServiceConfig } from './config/mfa-service.config';
import { CoreModule } from './core/core.module';
import { MfaRpcExceptionFilter } from './core/rpc-exception.filter';
import { PingController } from './ping/ping.controller';

@Module({})
export class AppModule {
  static forRoot(config: MfaServiceConfig, logger: JsonLogger, registry: Registry): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, logger, registry),
        TypeOrmModule.forRoot({ ...mfaDataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE), retryAttempts: 0 }),
      ],
      controllers: [PingController],
      providers: [{ provide: APP_FILTER, useClass: MfaRpcExceptionFilter }],
    };
  }
}
