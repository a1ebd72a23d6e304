import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One single-use recovery code. Stored twice, never in clear: encrypted (bound to the user) so that it
 * can be shown again, and as a keyed hash to check a submitted code. `usedAt` is set once, by a
 * conditional update, when the code is spent.
 */
@Entity({ name: 'recovery_codes' })
@Index('recovery_codes_user_idx', ['userId'])
export class RecoveryCodeEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 32 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  /** order in which the codes were shown */
  @Column({ name: 'position', type: 'smallint' })
  position: number;

  /** `<key id>.<hex HMAC-SHA-256>` of the normalized code, bound to the user */
  @Column({ name: 'code_hash', type: 'varchar', length: 128 })
  codeHash: string;

  @Column({ name: 'code_encrypted', type: 'text' })
  codeEncrypted: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  /** the session that created the set (null: none recorded); it never earns that session a step-up */
  @Column({ name: 'enrolled_session_id', type: 'varchar', length: 36, nullable: true })
  enrolledSessionId: string | null;
}
