import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './column-transformers';

/**
 * A user's TOTP authenticator (at most one per user). The secret is stored only as ciphertext
 * (`encryptAtRest`, bound to the user); `lastStep` is the last accepted 30-second time step, which
 * only ever grows, so a code is never accepted twice.
 */
@Entity({ name: 'totp_authenticators' })
export class TotpAuthenticatorEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  /** identifies this enrollment; changes when an unverified authenticator is replaced */
  @Column({ name: 'authenticator_id', type: 'varchar', length: 32 })
  authenticatorId: string;

  @Column({ name: 'secret_encrypted', type: 'text' })
  secretEncrypted: string;

  @Column({ name: 'verified', type: 'boolean', default: false })
  verified: boolean;

  @Column({ name: 'last_step', type: 'bigint', nullable: true, transformer: bigintToNumber })
  lastStep: number | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'verified_at', type: 'timestamptz', nullable: true })
  verifiedAt: Date | null;

  /** the session that verified it (null: none recorded); it never earns that session a step-up */
  @Column({ name: 'enrolled_session_id', type: 'varchar', length: 36, nullable: true })
  enrolledSessionId: string | null;
}
