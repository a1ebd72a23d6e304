import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { authDataSourceOptions } from '@twostep/auth-data-access';
import { createMetricsRegistry, JsonLogger } from '@twostep/observability';
import { SqlModule } from '@twostep/persistence';
import { Clock, CoreModule } from '@twostep/platform';
import { AccessModule } from './access/access.module';
import { AccountsModule } from './accounts/accounts.module';
import { AuditModule } from './audit/audit.module';
import { AvatarsModule } from './avatars/avatars.module';
import { ChannelsModule } from './channels/channels.module';
import { AUTH_API_CONFIG, AuthApiConfig } from './config/auth-api.config';
import { AppwriteExceptionFilter } from './common/appwrite-exception.filter';
import { AuthMetrics } from './core/auth-metrics.service';
import { HealthModule } from './health/health.module';
import { JwtsModule } from './jwts/jwts.module';
import { MfaModule } from './mfa/mfa.module';
import { MfaClient } from './mfa-client/mfa-client.service';
import { OpenApiModule } from './openapi/openapi.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { PasswordRecoveryModule } from './recovery/password-recovery.module';
import { SecurityNoticesModule } from './security-notices/security-notices.module';
import { SessionsModule } from './sessions/sessions.module';
import { SignInModule } from './sign-in/sign-in.module';
import { UsersApiModule } from './users/users-api.module';
import { UsersModule } from './users/users.module';
import { VerificationModule } from './verification/verification.module';

export interface AppModuleOptions {
  /** the clock every expiry rule reads (tests move it; production uses the system clock) */
  clock?: Clock;
  /** more feature modules (tests add probe controllers here) */
  imports?: ModuleMetadata['imports'];
}

@Module({})
export class AppModule {
  static forRoot(config: AuthApiConfig, logger: JsonLogger, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot({
          service: 'auth-api',
          config,
          configToken: AUTH_API_CONFIG,
          logger,
          registry: createMetricsRegistry('auth-api'),
          clock: options.clock,
          producers: { redisUrl: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX },
          providers: [MfaClient, AuthMetrics],
        }),
        TypeOrmModule.forRoot({ ...authDataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE), retryAttempts: 0 }),
        SqlModule,
        AuditModule,
        HealthModule,
        AccessModule,
        RateLimitModule,
        UsersModule,
        SessionsModule,
        AccountsModule,
        VerificationModule,
        ChannelsModule,
        SecurityNoticesModule,
        UsersApiModule,
        MfaModule,
        SignInModule,
        PasswordRecoveryModule,
        JwtsModule,
        AvatarsModule,
        OpenApiModule,
        ...(options.imports ?? []),
      ],
      providers: [{ provide: APP_FILTER, useClass: AppwriteExceptionFilter }],
    };
  }
}
