import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The session that enrolled each factor: the one that verified the TOTP authenticator and the one that
 * created the recovery-code set. A factor enrolled by a session never earns that session a step-up.
 * NULL: enrolled before this migration or by an admin (counts as enrolled by no session).
 */
export class FactorEnrollingSession1796416225685 implements MigrationInterface {
  name = 'FactorEnrollingSession1796416225685';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mfa.totp_authenticators ADD COLUMN enrolled_session_id varchar(36) NULL`);
    await q.query(`ALTER TABLE mfa.recovery_codes ADD COLUMN enrolled_session_id varchar(36) NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mfa.recovery_codes DROP COLUMN enrolled_session_id`);
    await q.query(`ALTER TABLE mfa.totp_authenticators DROP COLUMN enrolled_session_id`);
  }
}
