import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { UsersModule } from '../users/users.module';
import { VerificationController } from './verification.controller';
import { VerificationService } from './verification.service';
import { VerificationTokensRepository } from './verification-tokens.repository';

@Module({
  imports: [UsersModule, ChannelsModule],
  controllers: [VerificationController],
  providers: [VerificationTokensRepository, VerificationService],
  exports: [VerificationService, VerificationTokensRepository],
})
export class VerificationModule {}
