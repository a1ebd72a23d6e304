import { Module } from '@nestjs/common';
import { BudgetsModule } from '../budgets/budgets.module';
import { RecoveryCodesModule } from '../recovery-codes/recovery-codes.module';
import { TotpModule } from '../totp/totp.module';
import { ChallengesController } from './challenges.controller';
import { ChallengesService } from './challenges.service';
import { DeliveryResultsProcessor } from './delivery-results.processor';
import { OtpDeliveryPublisher } from './otp-delivery.publisher';

@Module({
  imports: [BudgetsModule, TotpModule, RecoveryCodesModule],
  controllers: [ChallengesController],
  providers: [ChallengesService, OtpDeliveryPublisher, DeliveryResultsProcessor],
  exports: [OtpDeliveryPublisher, DeliveryResultsProcessor],
})
export class ChallengesModule {}
