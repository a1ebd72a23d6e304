import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the session's last completed challenge proved: `mfa_factor` names the factor, `step_up_at` is
 * the last time a challenge was completed with a factor this session did not enroll itself (what
 * factor and address changes of an account with MFA on need within MFA_RECENT_SECONDS);
 * `enrolled_factors` names the factors whose address this session set (email, phone): proving them earns
 * it no step-up (mfa-service records the same for the authenticator and the recovery codes).
 */
export class SessionStepUp1796416225686 implements MigrationInterface {
  name = 'SessionStepUp1796416225686';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE auth.sessions ADD COLUMN mfa_factor varchar(16) NULL`);
    await q.query(`ALTER TABLE auth.sessions ADD COLUMN step_up_at timestamptz NULL`);
    await q.query(`ALTER TABLE auth.sessions ADD COLUMN enrolled_factors text[] NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE auth.sessions DROP COLUMN enrolled_factors`);
    await q.query(`ALTER TABLE auth.sessions DROP COLUMN step_up_at`);
    await q.query(`ALTER TABLE auth.sessions DROP COLUMN mfa_factor`);
  }
}
