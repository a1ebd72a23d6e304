import { Sql } from '@twostep/persistence';
import { TotpAuthenticatorEntity } from '../entities/totp-authenticator.entity';

/** The authenticator in a row of its columns, read as `<prefix><column>`. */
export function rowToAuthenticator(r: Record<string, unknown>, prefix = ''): TotpAuthenticatorEntity {
  const get = (c: string) => r[`${prefix}${c}`];
  return Object.assign(new TotpAuthenticatorEntity(), {
    userId: get('user_id'),
    authenticatorId: get('authenticator_id'),
    secretEncrypted: get('secret_encrypted'),
    verified: get('verified'),
    lastStep: get('last_step') === null ? null : Number(get('last_step')),
    createdAt: get('created_at'),
    verifiedAt: get('verified_at'),
    enrolledSessionId: (get('enrolled_session_id') as string | null) ?? null,
  } as TotpAuthenticatorEntity);
}

export class TotpAuthenticatorRepository {
  constructor(private readonly sql: Sql) {}

  /** The user's authenticator (plain SQL: this read is on every TOTP verification). */
  async find(userId: string): Promise<TotpAuthenticatorEntity | null> {
    const rows = await this.sql.rows(
      `SELECT user_id, authenticator_id, secret_encrypted, verified, last_step, created_at, verified_at, enrolled_session_id
         FROM mfa.totp_authenticators WHERE user_id = $1`,
      [userId],
    );
    return rows[0] ? rowToAuthenticator(rows[0]) : null;
  }

  /**
   * Stores a new unverified authenticator, replacing an unverified one. Returns false (and changes
   * nothing) when the user already has a verified authenticator. `last_step` survives a replacement:
   * it only ever grows.
   */
  async upsertUnverified(a: { userId: string; authenticatorId: string; secretEncrypted: string; now: Date }): Promise<boolean> {
    const rows = await this.sql.rows(
      `INSERT INTO mfa.totp_authenticators AS t (user_id, authenticator_id, secret_encrypted, verified, last_step, created_at, verified_at)
       VALUES ($1, $2, $3, false, NULL, $4, NULL)
       ON CONFLICT (user_id) DO UPDATE
         SET authenticator_id = EXCLUDED.authenticator_id, secret_encrypted = EXCLUDED.secret_encrypted, created_at = EXCLUDED.created_at
         WHERE t.verified = false
       RETURNING user_id`,
      [a.userId, a.authenticatorId, a.secretEncrypted, a.now],
    );
    return rows.length === 1;
  }

  /**
   * Compare-and-set of the last accepted time step: succeeds only if `step` is newer than every step
   * accepted before for this user, and (for enrollment) marks the authenticator verified. Exactly one
   * of several concurrent callers with the same step wins.
   */
  async acceptStep(a: {
    userId: string;
    authenticatorId: string;
    step: number;
    now: Date;
    enrollment: boolean;
    enrollingSessionId?: string | null;
  }): Promise<boolean> {
    const count = await this.sql.count(
      `UPDATE mfa.totp_authenticators
          SET last_step = $3,
              verified = true,
              verified_at = COALESCE(verified_at, $4),
              enrolled_session_id = CASE WHEN $5 THEN enrolled_session_id ELSE $6::varchar END
        WHERE user_id = $1 AND authenticator_id = $2 AND verified = $5
          AND (last_step IS NULL OR last_step < $3)`,
      [a.userId, a.authenticatorId, a.step, a.now, !a.enrollment, a.enrollingSessionId ?? null],
    );
    return count === 1;
  }

  async delete(userId: string): Promise<boolean> {
    return (await this.sql.count('DELETE FROM mfa.totp_authenticators WHERE user_id = $1', [userId])) > 0;
  }
}
