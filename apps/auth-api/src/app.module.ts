import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { authDataSourceOptions } from '@twostep/auth-data-access';
import { JsonLogger } from '@twostep/observability';
import { AuthApiConfig } from './config/auth-api.config';
import { AppwriteExceptionFilter } from './common/appwrite-exception.filter';
import { CoreModule } from './core/core.module';
import { HealthModule } from './health/health.module';

@Module({})
export class AppModule {
  static forRoot(config: AuthApiConfig, logger: JsonLogger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, logger),
        TypeOrmModule.forRoot({ ...authDataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE), retryAttempts: 0 }),
        HealthModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AppwriteExceptionFilter }],
    };
  }
}
