import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { SessionClientInfo } from './session.entity';

/**
 * One security event of a user (GET /v1/account/logs, GET /v1/users/{id}/logs): who, what, from which
 * address and client, never a secret. Rows go with their user and are purged after AUDIT_LOG_RETENTION_DAYS.
 */
@Entity({ name: 'audit_logs' })
@Index('audit_logs_created_at_idx', ['createdAt'])
export class AuditLogEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** insertion order: orders the events of one request that share a millisecond (identity, set by Postgres) */
  @Column({ type: 'bigint', generatedIdentity: 'ALWAYS', insert: false, update: false })
  seq: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ type: 'varchar', length: 64 })
  event: string;

  /** `default` (the user), `admin` (with the API key) */
  @Column({ type: 'varchar', length: 16, default: 'default' })
  mode: 'default' | 'admin';

  @Column({ type: 'varchar', length: 64, default: '' })
  ip: string;

  @Column({ type: 'jsonb', default: {} })
  client: SessionClientInfo;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
