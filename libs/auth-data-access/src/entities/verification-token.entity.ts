import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * `email`/`phone`: address verification; `signin_email`/`signin_phone`: a 6-digit sign-in code;
 * `magic_url`: a sign-in link; `recovery`: a password recovery link.
 */
export type VerificationKind = 'email' | 'phone' | 'signin_email' | 'signin_phone' | 'magic_url' | 'recovery';
export type VerificationTokenState = 'open' | 'consumed' | 'superseded' | 'exhausted';

/**
 * An email verification link or a phone verification code. Only a keyed hash of the secret is stored
 * (`key_id` names the key), together with a keyed hash of the address it was sent to, so a token
 * never verifies an address other than the one it was delivered to. At most one token per user and
 * kind is `open` (partial unique index); a new one supersedes the old.
 */
@Entity({ name: 'verification_tokens' })
export class VerificationTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ type: 'varchar', length: 16 })
  kind: VerificationKind;

  @Column({ name: 'secret_hash', type: 'char', length: 64 })
  secretHash: string;

  @Column({ name: 'key_id', type: 'varchar', length: 32 })
  keyId: string;

  @Column({ name: 'destination_hash', type: 'char', length: 64 })
  destinationHash: string;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'varchar', length: 16, default: 'open' })
  state: VerificationTokenState;

  @Column({ type: 'timestamptz' })
  expire: Date;

  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true })
  consumedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
