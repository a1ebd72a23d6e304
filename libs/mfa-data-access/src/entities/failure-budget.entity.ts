import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Consecutive failed verifications of one factor of one account, across all challenges and sessions.
 * Authoritative here (not in Redis), changed only by single atomic statements.
 */
@Entity({ name: 'failure_budgets' })
export class FailureBudgetEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  @PrimaryColumn({ name: 'factor', type: 'varchar', length: 16 })
  factor: string;

  /** consecutive failures since the last success (attempts are counted before they are evaluated) */
  @Column({ name: 'failures', type: 'integer', default: 0 })
  failures: number;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  /** set when the factor reached the hard cap: locked with no end until another factor or an admin clears it */
  @Column({ name: 'hard_locked_at', type: 'timestamptz', nullable: true })
  hardLockedAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
