import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What was read from the User-Agent when the session was created (shown in the Session model). */
export interface SessionClientInfo {
  osCode?: string;
  osName?: string;
  osVersion?: string;
  clientType?: string;
  clientCode?: string;
  clientName?: string;
  clientVersion?: string;
  clientEngine?: string;
  clientEngineVersion?: string;
  deviceName?: string;
  deviceBrand?: string;
  deviceModel?: string;
}

/**
 * A session. Only the SHA-256 of the session secret is stored (`secret_hash`, unique): a database
 * dump does not yield usable credentials. `factors` and `mfa_updated_at` carry the MFA state.
 */
@Entity({ name: 'sessions' })
export class SessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ name: 'secret_hash', type: 'char', length: 64 })
  secretHash: string;

  /** `email` (email/password), `server` (created with the API key) */
  @Column({ type: 'varchar', length: 32 })
  provider: string;

  @Column({ name: 'provider_uid', type: 'varchar', length: 320, default: '' })
  providerUid: string;

  @Column({ type: 'text', array: true })
  factors: string[];

  @Column({ name: 'mfa_updated_at', type: 'timestamptz', nullable: true })
  mfaUpdatedAt: Date | null;

  /** the factor that completed the session's last challenge */
  @Column({ name: 'mfa_factor', type: 'varchar', length: 16, nullable: true })
  mfaFactor: string | null;

  /**
   * the last challenge completed with a factor this session did not enroll itself: the step-up that
   * factor and address changes of an account with MFA on need within MFA_RECENT_SECONDS
   */
  @Column({ name: 'step_up_at', type: 'timestamptz', nullable: true })
  stepUpAt: Date | null;

  /** factors whose address this session set (`email`, `phone`): proving them earns it no step-up */
  @Column({ name: 'enrolled_factors', type: 'text', array: true, default: () => "'{}'" })
  enrolledFactors: string[];

  /** absolute expiry */
  @Column({ type: 'timestamptz' })
  expire: Date;

  /** for the idle timeout; refreshed at most once per touch interval */
  @Column({ name: 'last_active_at', type: 'timestamptz' })
  lastActiveAt: Date;

  @Column({ type: 'varchar', length: 45, default: '' })
  ip: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  client: SessionClientInfo;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
