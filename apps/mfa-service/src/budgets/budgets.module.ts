import { Module } from '@nestjs/common';
import { FailureBudgetService } from './failure-budget.service';

@Module({ providers: [FailureBudgetService], exports: [FailureBudgetService] })
export class BudgetsModule {}
