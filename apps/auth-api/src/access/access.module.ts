import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { SessionsModule } from '../sessions/sessions.module';
import { AccessGuard } from './access.guard';
import { AccountJwtService } from './account-jwt.service';
import { MfaRequirementService } from './mfa-requirement.service';

/** Registers the one global {@link AccessGuard}. */
@Module({
  imports: [SessionsModule, RateLimitModule],
  providers: [MfaRequirementService, AccountJwtService, { provide: APP_GUARD, useClass: AccessGuard }],
  exports: [MfaRequirementService, AccountJwtService],
})
export class AccessModule {}
