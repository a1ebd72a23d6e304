import { UsersAdminService } from './users-admin.service';
import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { VerificationModule } from '../verification/verification.module';
import { UsersController } from './users.controller';
import { UsersModule } from './users.module';

/** The admin `/v1/users` routes (API key). */
@Module({
  imports: [UsersModule, SessionsModule, VerificationModule],
  controllers: [UsersController],
  providers: [UsersAdminService],
})
export class UsersApiModule {}
