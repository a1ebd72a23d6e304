import { Module } from '@nestjs/common';
import { BudgetsModule } from '../budgets/budgets.module';
import { TotpController } from './totp.controller';
import { TotpService } from './totp.service';

@Module({ imports: [BudgetsModule], controllers: [TotpController], providers: [TotpService], exports: [TotpService] })
export class TotpModule {}
