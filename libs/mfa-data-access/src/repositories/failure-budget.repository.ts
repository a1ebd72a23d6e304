import { DataSource } from 'typeorm';
import { mutate, Queryable, selectRows } from './sql';

export interface BudgetReservation {
  /** consecutive failures counted so far, including this attempt */
  failures: number;
  /** set when this attempt started a lockout */
  lockedUntil: Date | null;
}

export class FailureBudgetRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Counts one attempt as a failure *before* its code is evaluated, in one atomic statement, on two
   * rows: the factor's and the account's (factor `account`, shared by every factor). Unless a row is
   * locked (then returns null): a locked factor or a locked account evaluates nothing. Every
   * `threshold`-th consecutive failure of the factor (`accountThreshold`-th of the account) starts a
   * lockout of `schedule[n-1]` seconds for the n-th lockout (the last entry repeats). Concurrent
   * attempts are serialized on the rows (always locked in the same order), so none is lost and no more
   * than the threshold are evaluated between two lockouts. A success calls {@link reset}.
   */
  async reserve(
    userId: string,
    factor: string,
    now: Date,
    threshold: number,
    schedule: readonly number[],
    accountThreshold: number,
  ): Promise<BudgetReservation | null> {
    const rows = await selectRows<{ factor: string; failures: number; locked_until: Date | null }>(
      this.dataSource,
      `WITH locked AS (
         SELECT 1 FROM mfa.failure_budgets WHERE user_id = $1 AND factor IN ($2, 'account') AND locked_until > $3 LIMIT 1
       )
       INSERT INTO mfa.failure_budgets AS b (user_id, factor, failures, locked_until, updated_at)
       SELECT $1, v.factor, 1, NULL, $3 FROM (VALUES ('account'), ($2)) AS v(factor)
        WHERE NOT EXISTS (SELECT 1 FROM locked)
       ON CONFLICT (user_id, factor) DO UPDATE
         SET failures = b.failures + 1,
             locked_until = CASE
               WHEN (b.failures + 1) % (CASE WHEN b.factor = 'account' THEN $6::int ELSE $4::int END) = 0
                 THEN $3 + make_interval(secs => ($5::int[])[LEAST((b.failures + 1) / (CASE WHEN b.factor = 'account' THEN $6::int ELSE $4::int END), cardinality($5::int[]))])
               ELSE b.locked_until
             END,
             updated_at = $3
         WHERE b.locked_until IS NULL OR b.locked_until <= $3
       RETURNING factor, failures, locked_until`,
      [userId, factor, now, threshold, schedule, accountThreshold],
    );
    if (rows.length < 2) return null;
    const own = rows.find((r) => r.factor === factor)!;
    const lockedAt = (r: { locked_until: Date | null }) => (r.locked_until && r.locked_until > now ? r.locked_until : null);
    const locks = rows.map(lockedAt).filter((d): d is Date => d !== null);
    const lockedUntil = locks.length ? new Date(Math.max(...locks.map((d) => d.getTime()))) : null;
    return { failures: own.failures, lockedUntil };
  }

  /** The longest lockout in force on the factor or the account, if any. */
  async lockedUntil(userId: string, factor: string, now: Date): Promise<Date | null> {
    const rows = await selectRows<{ locked_until: Date | null }>(
      this.dataSource,
      `SELECT max(locked_until) AS locked_until FROM mfa.failure_budgets WHERE user_id = $1 AND factor IN ($2, 'account') AND locked_until > $3`,
      [userId, factor, now],
    );
    return rows[0]?.locked_until ?? null;
  }

  /** A success: the factor's and the account's consecutive failures start again from zero; lockouts end. */
  async reset(userId: string, factor: string, now: Date, db: Queryable = this.dataSource): Promise<void> {
    await mutate(
      db,
      `UPDATE mfa.failure_budgets SET failures = 0, locked_until = NULL, updated_at = $3
        WHERE user_id = $1 AND factor IN ($2, 'account') AND (failures <> 0 OR locked_until IS NOT NULL)`,
      [userId, factor, now],
    );
  }

  async deleteForUser(userId: string, db: Queryable = this.dataSource): Promise<void> {
    await mutate(db, 'DELETE FROM mfa.failure_budgets WHERE user_id = $1', [userId]);
  }
}
