import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * At most one open email or phone challenge per user and factor, enforced by a unique index (it was
 * enforced by a lock taken around two statements): a new challenge supersedes the open one in a single
 * statement, and two created at the same moment cannot both stay open (the second insert conflicts and
 * is retried). Older duplicates, if any, are closed first.
 */
export class OneOpenCodeChallenge1796420000000 implements MigrationInterface {
  name = 'OneOpenCodeChallenge1796420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE mfa.challenges c SET state = 'superseded', closed_at = COALESCE(c.closed_at, now())
       WHERE c.state = 'open' AND c.factor IN ('email', 'phone')
         AND EXISTS (SELECT 1 FROM mfa.challenges n
                      WHERE n.user_id = c.user_id AND n.factor = c.factor AND n.state = 'open' AND (n.created_at, n.id) > (c.created_at, c.id))`);
    await q.query(
      `CREATE UNIQUE INDEX challenges_one_open_code_idx ON mfa.challenges (user_id, factor) WHERE state = 'open' AND factor IN ('email', 'phone')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS mfa.challenges_one_open_code_idx`);
  }
}
