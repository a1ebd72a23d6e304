import { Sql } from '@twostep/persistence';
import { ClosedChallengeRef } from './challenge.repository';

/** Everything the `mfa` schema holds about one user, as a whole (account deletion). */
export class MfaUserDataRepository {
  constructor(private readonly sql: Sql) {}

  /** Which factors the user has: a verified TOTP authenticator, an unused recovery code (one statement). */
  async factors(userId: string): Promise<{ totp: boolean; recoveryCode: boolean }> {
    const [r] = await this.sql.rows<{ totp: boolean; recovery_code: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM mfa.totp_authenticators WHERE user_id = $1 AND verified) AS totp,
              EXISTS (SELECT 1 FROM mfa.recovery_codes WHERE user_id = $1 AND used_at IS NULL) AS recovery_code`,
      [userId],
      'mfa_factors_of_user',
    );
    return { totp: r.totp, recoveryCode: r.recovery_code };
  }

  /**
   * Deletes the user's challenges, recovery codes, TOTP authenticator and failure budgets in one
   * statement (atomic without a transaction). Returns the challenges that were still open, so the caller
   * can tell the notifier to drop their pending deliveries.
   */
  async purge(userId: string): Promise<ClosedChallengeRef[]> {
    const rows = await this.sql.rows<{ id: string; expires_at: Date }>(
      `WITH challenges AS (DELETE FROM mfa.challenges WHERE user_id = $1 RETURNING id, expires_at, state),
            codes AS (DELETE FROM mfa.recovery_codes WHERE user_id = $1),
            totp AS (DELETE FROM mfa.totp_authenticators WHERE user_id = $1),
            budgets AS (DELETE FROM mfa.failure_budgets WHERE user_id = $1)
       SELECT id, expires_at FROM challenges WHERE state = 'open'`,
      [userId],
    );
    return rows.map((r) => ({ id: r.id, expiresAt: r.expires_at }));
  }
}
