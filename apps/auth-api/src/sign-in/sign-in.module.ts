import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { VerificationModule } from '../verification/verification.module';
import { SignInTokensController } from './sign-in-tokens.controller';
import { SignInTokensService } from './sign-in-tokens.service';

/** Passwordless sign-in: email code, magic URL, phone code. */
@Module({
  imports: [UsersModule, SessionsModule, ChannelsModule, VerificationModule, RateLimitModule],
  controllers: [SignInTokensController],
  providers: [SignInTokensService],
})
export class SignInModule {}
