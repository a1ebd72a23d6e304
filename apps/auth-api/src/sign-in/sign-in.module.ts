import { Module } from '@nestjs/common';
import { SignInFlowsService } from './sign-in-flows.service';
import { ChannelsModule } from '../channels/channels.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { VerificationModule } from '../verification/verification.module';
import { AnonymousSessionsController } from './anonymous-sessions.controller';
import { SignInTokensController } from './sign-in-tokens.controller';
import { SignInTokensService } from './sign-in-tokens.service';

/** Sign-in without a password: email code, magic URL, phone code, anonymous sessions. */
@Module({
  imports: [UsersModule, SessionsModule, ChannelsModule, VerificationModule, RateLimitModule],
  controllers: [SignInTokensController, AnonymousSessionsController],
  providers: [SignInTokensService, SignInFlowsService],
})
export class SignInModule {}
