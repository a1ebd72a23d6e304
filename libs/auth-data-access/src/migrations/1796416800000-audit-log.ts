import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log a user (`GET /v1/account/logs`) and an admin (`GET /v1/users/{id}/logs`) read: one row
 * per security event, with the client address and client description, never a secret. Rows go with
 * their user and are purged after AUDIT_LOG_RETENTION_DAYS.
 */
export class AuditLog1796416800000 implements MigrationInterface {
  name = 'AuditLog1796416800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_logs (
        id varchar(36) PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        user_id varchar(36) NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        event varchar(64) NOT NULL,
        mode varchar(16) NOT NULL DEFAULT 'default' CHECK (mode IN ('default', 'admin')),
        ip varchar(64) NOT NULL DEFAULT '',
        client jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL
      )`);
    // newest first; `seq` orders the events of one request that share a millisecond
    await q.query(`CREATE INDEX audit_logs_user_time_idx ON audit_logs (user_id, created_at DESC, seq DESC)`);
    await q.query(`CREATE INDEX audit_logs_created_at_idx ON audit_logs (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS audit_logs`);
  }
}
