import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { MfaFactor } from '@twostep/contracts';

/** Where a challenge is in its life. Only `open` challenges can be completed. */
export type ChallengeState = 'open' | 'consumed' | 'exhausted' | 'superseded' | 'delivery_failed';
export const CHALLENGE_STATES: readonly ChallengeState[] = ['open', 'consumed', 'exhausted', 'superseded', 'delivery_failed'];

/** The factor names are contracts' {@link MfaFactor} (one definition). */
export type ChallengeFactor = MfaFactor;
export type DeliveryChannelColumn = 'email' | 'sms';
export type DeliveryStatusColumn = 'queued' | 'sent' | 'failed' | 'dropped';

/**
 * One MFA challenge: bound to a user, a session and a factor, expiring, single-use, with a budget of
 * wrong attempts. Email and phone challenges carry the keyed hash of their code (never the code) and
 * the status of its delivery.
 */
@Entity({ name: 'challenges' })
@Index('challenges_user_factor_open_idx', ['userId', 'factor'], { where: `state = 'open'` })
@Index('challenges_user_expires_idx', ['userId', 'expiresAt'])
@Index('challenges_one_open_code_idx', ['userId', 'factor'], { unique: true, where: `state = 'open' AND factor IN ('email', 'phone')` })
export class ChallengeEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 32 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  @Column({ name: 'session_id', type: 'varchar', length: 64 })
  sessionId: string;

  @Column({ name: 'factor', type: 'varchar', length: 16 })
  factor: ChallengeFactor;

  @Column({ name: 'state', type: 'varchar', length: 16, default: 'open' })
  state: ChallengeState;

  /** `<key id>.<hex HMAC-SHA-256>` of the code, bound to the challenge id; null for totp/recoveryCode */
  @Column({ name: 'code_hash', type: 'varchar', length: 128, nullable: true })
  codeHash: string | null;

  /** attempts taken (reserved before a code is evaluated, given back on success) */
  @Column({ name: 'attempts', type: 'smallint', default: 0 })
  attempts: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ name: 'delivery_channel', type: 'varchar', length: 8, nullable: true })
  deliveryChannel: DeliveryChannelColumn | null;

  @Column({ name: 'delivery_status', type: 'varchar', length: 16, nullable: true })
  deliveryStatus: DeliveryStatusColumn | null;

  @Column({ name: 'delivery_reason', type: 'varchar', length: 64, nullable: true })
  deliveryReason: string | null;

  @Column({ name: 'delivery_updated_at', type: 'timestamptz', nullable: true })
  deliveryUpdatedAt: Date | null;
}
