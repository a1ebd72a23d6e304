import { Module } from '@nestjs/common';
import { SignInFlowsService } from './sign-in-flows.service';
import { ChannelsModule } from '../channels/channels.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { SignInMetricsHook } from '../observability/sign-in-metrics.hook';
import { VerificationModule } from '../verification/verification.module';
import { AnonymousSessionsController } from './anonymous-sessions.controller';
import { SignInTokensController } from './sign-in-tokens.controller';
import { SignInTokensService } from './sign-in-tokens.service';

/** Sign-in without a password: email code, magic URL, phone code, anonymous sessions. */
@Module({
  imports: [UsersModule, SessionsModule, ChannelsModule, VerificationModule, RateLimitModule],
  controllers: [SignInTokensController, AnonymousSessionsController],
  // SignInMetricsHook: auth_sign_ins_total for every sign-in route but email + password (one Fastify hook)
  providers: [SignInTokensService, SignInFlowsService, SignInMetricsHook],
})
export class SignInModule {}
