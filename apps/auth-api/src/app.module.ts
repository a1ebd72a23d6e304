import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { authDataSourceOptions } from '@twostep/auth-data-access';
import { JsonLogger } from '@twostep/observability';
import { SqlModule } from '@twostep/persistence';
import { AccessModule } from './access/access.module';
import { AccountsModule } from './accounts/accounts.module';
import { AuditModule } from './audit/audit.module';
import { AvatarsModule } from './avatars/avatars.module';
import { ChannelsModule } from './channels/channels.module';
import { AuthApiConfig } from './config/auth-api.config';
import { AppwriteExceptionFilter } from './common/appwrite-exception.filter';
import { CoreModule } from './core/core.module';
import { Clock } from './core/tokens';
import { HealthModule } from './health/health.module';
import { JwtsModule } from './jwts/jwts.module';
import { MfaModule } from './mfa/mfa.module';
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
        CoreModule.forRoot(config, logger, options.clock),
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
