import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A budget row for the whole account (factor `account`) beside the per-factor rows: consecutive
 * failures across every factor lock the account too, so switching factors gives no fresh budget.
 */
export class AccountFailureBudget1767312000000 implements MigrationInterface {
  name = 'AccountFailureBudget1767312000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mfa.failure_budgets DROP CONSTRAINT failure_budgets_factor_check`);
    await q.query(
      `ALTER TABLE mfa.failure_budgets ADD CONSTRAINT failure_budgets_factor_check CHECK (factor IN ('totp', 'email', 'phone', 'recoveryCode', 'account'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM mfa.failure_budgets WHERE factor = 'account'`);
    await q.query(`ALTER TABLE mfa.failure_budgets DROP CONSTRAINT failure_budgets_factor_check`);
    await q.query(
      `ALTER TABLE mfa.failure_budgets ADD CONSTRAINT failure_budgets_factor_check CHECK (factor IN ('totp', 'email', 'phone', 'recoveryCode'))`,
    );
  }
}
