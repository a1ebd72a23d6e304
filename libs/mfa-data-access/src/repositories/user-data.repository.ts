import { Sql } from '@twostep/persistence';
import { ClosedChallengeRef } from './challenge.repository';

/** Everything the `mfa` schema holds about one user, as a whole (account deletion). */
export class MfaUserDataRepository {
  constructor(private readonly sql: Sql) {}

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
