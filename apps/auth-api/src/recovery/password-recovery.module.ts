import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { SecurityNoticesModule } from '../security-notices/security-notices.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { VerificationModule } from '../verification/verification.module';
import { PasswordRecoveryController } from './password-recovery.controller';
import { PasswordRecoveryService } from './password-recovery.service';

/** Password recovery by emailed link. */
@Module({
  imports: [UsersModule, SessionsModule, ChannelsModule, VerificationModule, RateLimitModule, SecurityNoticesModule],
  controllers: [PasswordRecoveryController],
  providers: [PasswordRecoveryService],
})
export class PasswordRecoveryModule {}
