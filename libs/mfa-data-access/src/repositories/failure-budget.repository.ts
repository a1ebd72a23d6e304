import { DataSource } from 'typeorm';
import { FailureBudgetEntity } from '../entities/failure-budget.entity';
import { mutate, Queryable, selectRows } from './sql';

export interface BudgetReservation {
  /** consecutive failures counted so far, including this attempt */
  failures: number;
  /** set when this attempt started a lockout */
  lockedUntil: Date | null;
}

export class FailureBudgetRepository {
  constructor(private readonly dataSource: DataSource) {}

  find(userId: string, factor: string): Promise<FailureBudgetEntity | null> {
    return this.dataSource.getRepository(FailureBudgetEntity).findOneBy({ userId, factor });
  }

  /**
   * Counts one attempt as a failure *before* its code is evaluated, in one atomic statement, unless
   * the factor is locked (then returns null and counts nothing). Every `threshold`-th consecutive
   * failure starts a lockout whose length is `schedule[n-1]` seconds for the n-th lockout (the last
   * entry repeats). Concurrent attempts are serialized on the row, so none is lost and no more than
   * `threshold` are evaluated between two lockouts. A success calls {@link reset}.
   */
  async reserve(userId: string, factor: string, now: Date, threshold: number, schedule: readonly number[]): Promise<BudgetReservation | null> {
    const rows = await selectRows<{ failures: number; locked_until: Date | null }>(
      this.dataSource,
      `INSERT INTO mfa.failure_budgets AS b (user_id, factor, failures, locked_until, updated_at)
       VALUES ($1, $2, 1, NULL, $3)
       ON CONFLICT (user_id, factor) DO UPDATE
         SET failures = b.failures + 1,
             locked_until = CASE
               WHEN (b.failures + 1) % $4 = 0
                 THEN $3 + make_interval(secs => ($5::int[])[LEAST((b.failures + 1) / $4, cardinality($5::int[]))])
               ELSE b.locked_until
             END,
             updated_at = $3
         WHERE b.locked_until IS NULL OR b.locked_until <= $3
       RETURNING failures, locked_until`,
      [userId, factor, now, threshold, schedule],
    );
    if (rows.length === 0) return null;
    const lockedUntil = rows[0].locked_until && rows[0].locked_until > now ? rows[0].locked_until : null;
    return { failures: rows[0].failures, lockedUntil };
  }

  /** A success: the factor's consecutive failures start again from zero and any lockout ends. */
  async reset(userId: string, factor: string, now: Date, db: Queryable = this.dataSource): Promise<void> {
    await mutate(db, 'UPDATE mfa.failure_budgets SET failures = 0, locked_until = NULL, updated_at = $3 WHERE user_id = $1 AND factor = $2 AND (failures <> 0 OR locked_until IS NOT NULL)', [
      userId,
      factor,
      now,
    ]);
  }

  async deleteForUser(userId: string, db: Queryable = this.dataSource): Promise<void> {
    await mutate(db, 'DELETE FROM mfa.failure_budgets WHERE user_id = $1', [userId]);
  }
}
