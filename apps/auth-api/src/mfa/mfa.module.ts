import { AccountMfaService } from './account-mfa.service';
import { UsersMfaService } from './users-mfa.service';
import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { ChannelsModule } from '../channels/channels.module';
import { SecurityNoticesModule } from '../security-notices/security-notices.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { AccountMfaChallengesController } from './account-mfa-challenges.controller';
import { AccountMfaController } from './account-mfa.controller';
import { MfaChallengesService } from './mfa-challenges.service';
import { MfaFactorsService } from './mfa-factors.service';
import { UsersMfaController } from './users-mfa.controller';

/** The MFA routes of the public API; every decision is mfa-service's, reached through MfaClient. */
@Module({
  imports: [SessionsModule, UsersModule, ChannelsModule, SecurityNoticesModule, AccessModule],
  controllers: [AccountMfaController, AccountMfaChallengesController, UsersMfaController],
  providers: [MfaFactorsService, MfaChallengesService, AccountMfaService, UsersMfaService],
})
export class MfaModule {}
