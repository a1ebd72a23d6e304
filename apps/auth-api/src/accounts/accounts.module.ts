import { Module } from '@nestjs/common';
import { SecurityNoticesModule } from '../security-notices/security-notices.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { VerificationModule } from '../verification/verification.module';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';

@Module({
  imports: [UsersModule, SessionsModule, VerificationModule, SecurityNoticesModule],
  controllers: [AccountsController],
  providers: [AccountsService],
})
export class AccountsModule {}
