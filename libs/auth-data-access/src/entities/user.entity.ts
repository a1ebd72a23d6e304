import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A user of the project (Appwrite's `users` collection). Email is stored lower-cased; `password_hash`
 * is an argon2id PHC string and never leaves auth-api.
 */
@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  /** E.164 */
  @Column({ type: 'varchar', length: 16, nullable: true })
  phone: string | null;

  @Column({ type: 'varchar', length: 128, default: '' })
  name: string;

  @Column({ name: 'password_hash', type: 'text', nullable: true })
  passwordHash: string | null;

  @Column({ name: 'password_updated_at', type: 'timestamptz', nullable: true })
  passwordUpdatedAt: Date | null;

  @Column({ name: 'email_verification', type: 'boolean', default: false })
  emailVerification: boolean;

  @Column({ name: 'phone_verification', type: 'boolean', default: false })
  phoneVerification: boolean;

  @Column({ type: 'boolean', default: false })
  mfa: boolean;

  /** false: blocked */
  @Column({ type: 'boolean', default: true })
  status: boolean;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  labels: string[];

  @Column({ type: 'jsonb', default: () => "'{}'" })
  prefs: Record<string, unknown>;

  /** id of the messaging target of the email address (Appwrite's Target model) */
  @Column({ name: 'email_target_id', type: 'varchar', length: 36, nullable: true })
  emailTargetId: string | null;

  @Column({ name: 'phone_target_id', type: 'varchar', length: 36, nullable: true })
  phoneTargetId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'accessed_at', type: 'timestamptz', nullable: true })
  accessedAt: Date | null;
}
