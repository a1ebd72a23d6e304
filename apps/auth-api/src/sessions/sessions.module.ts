import { Module } from '@nestjs/common';
import { AccountSessionsService } from './account-sessions.service';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { UsersModule } from '../users/users.module';
import { SessionCookies } from './session-cookies.service';
import { SessionsController } from './sessions.controller';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

@Module({
  imports: [UsersModule, RateLimitModule],
  controllers: [SessionsController],
  providers: [SessionsRepository, SessionsService, SessionCookies, AccountSessionsService],
  exports: [SessionsService, SessionCookies],
})
export class SessionsModule {}
