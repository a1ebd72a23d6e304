import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The hard cap on guessing: a factor with MFA_FAILURE_HARD_LIMIT consecutive failures is locked with no
 * end (`hard_locked_at` set) until the user completes a challenge with another factor or an admin
 * unlocks it.
 */
export class FailureBudgetHardLock1796417009545 implements MigrationInterface {
  name = 'FailureBudgetHardLock1796417009545';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mfa.failure_budgets ADD COLUMN hard_locked_at timestamptz NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mfa.failure_budgets DROP COLUMN hard_locked_at`);
  }
}
