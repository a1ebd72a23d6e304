import { Module } from '@nestjs/common';
import { BudgetsController } from './budgets.controller';
import { FailureBudgetService } from './failure-budget.service';

@Module({ controllers: [BudgetsController], providers: [FailureBudgetService], exports: [FailureBudgetService] })
export class BudgetsModule {}
