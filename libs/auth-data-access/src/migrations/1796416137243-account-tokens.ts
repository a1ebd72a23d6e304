import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in tokens (email code, magic URL, phone code) and password recovery links live in
 * `verification_tokens` next to the verification tokens: same keyed hashes, same single-use and
 * attempt rules, one open token per user and kind.
 */
export class AccountTokens1796416137243 implements MigrationInterface {
  name = 'AccountTokens1796416137243';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE verification_tokens DROP CONSTRAINT verification_tokens_kind_check`);
    await q.query(
      `ALTER TABLE verification_tokens ADD CONSTRAINT verification_tokens_kind_check CHECK (kind IN ('email', 'phone', 'signin_email', 'signin_phone', 'magic_url', 'recovery'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM verification_tokens WHERE kind NOT IN ('email', 'phone')`);
    await q.query(`ALTER TABLE verification_tokens DROP CONSTRAINT verification_tokens_kind_check`);
    await q.query(`ALTER TABLE verification_tokens ADD CONSTRAINT verification_tokens_kind_check CHECK (kind IN ('email', 'phone'))`);
  }
}
