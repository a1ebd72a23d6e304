import { Sql } from '@twostep/persistence';

/**
 * The lockout rules' parameters (built from configuration by mfa-service's `lockoutPolicy()`). The
 * arithmetic that applies them lives in one place: the statement of {@link FailureBudgetRepository.reserve},
 * which counts and locks atomically.
 */
export interface LockoutPolicy {
  /** every `threshold`-th consecutive failure of a factor starts a lockout */
  threshold: number;
  /** lockout lengths in seconds: entry n-1 is the n-th lockout's; the last entry repeats */
  schedule: readonly number[];
  /** every `accountThreshold`-th consecutive failure across all factors starts a lockout of the account */
  accountThreshold: number;
  /** the `policy.hardLimit`-th consecutive failure of a factor locks it with no end */
  hardLimit: number;
}

export interface BudgetReservation {
  /** consecutive failures counted so far, including this attempt */
  failures: number;
  /** set when this attempt started a lockout */
  lockedUntil: Date | null;
  /** this attempt started the first lockout since the last success (of the factor or of the account) */
  firstLockoutOfRun: boolean;
  /** this attempt reached the hard cap: the factor is now locked until recovered or unlocked */
  hardLocked: boolean;
}

/** Why attempts on a factor are refused right now. */
export interface BudgetLock {
  /** end of the longest timed lockout in force, if any */
  until: Date | null;
  /** the factor reached the hard cap (no end) */
  hard: boolean;
}

export class FailureBudgetRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Counts one attempt as a failure *before* its code is evaluated, in one atomic statement, on two
   * rows: the factor's and the account's (factor `account`, shared by every factor). Unless a row is
   * locked (then returns null): a locked factor or a locked account evaluates nothing. Every
   * `policy.threshold`-th consecutive failure of the factor (`policy.accountThreshold`-th of the account)
   * starts a lockout of `policy.schedule[n-1]` seconds for the n-th lockout (the last entry repeats). Concurrent
   * attempts are serialized on the rows (always locked in the same order), so none is lost and no more
   * than the threshold are evaluated between two lockouts. The `hardLimit`-th consecutive failure of
   * the factor locks it with no end (`hard_locked_at`), until {@link reset} by a success with another
   * factor or {@link unlock}. A success calls {@link reset}.
   */
  async reserve(userId: string, factor: string, now: Date, policy: LockoutPolicy): Promise<BudgetReservation | null> {
    const { threshold, schedule, accountThreshold, hardLimit } = policy;
    const rows = await this.sql.rows<{ factor: string; failures: number; locked_until: Date | null; hard_locked_at: Date | null }>(
      `WITH locked AS (
         SELECT 1 FROM mfa.failure_budgets
          WHERE user_id = $1 AND factor IN ($2, 'account') AND (locked_until > $3 OR hard_locked_at IS NOT NULL) LIMIT 1
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
             hard_locked_at = CASE WHEN b.factor <> 'account' AND b.failures + 1 >= $7::int THEN $3 ELSE b.hard_locked_at END,
             updated_at = $3
         WHERE (b.locked_until IS NULL OR b.locked_until <= $3) AND b.hard_locked_at IS NULL
       RETURNING factor, failures, locked_until, hard_locked_at`,
      [userId, factor, now, threshold, [...schedule], accountThreshold, hardLimit],
    );
    if (rows.length < 2) return null;
    const own = rows.find((r) => r.factor === factor)!;
    const account = rows.find((r) => r.factor === 'account')!;
    const lockedAt = (r: { locked_until: Date | null }) => (r.locked_until && r.locked_until > now ? r.locked_until : null);
    const locks = rows.map(lockedAt).filter((d): d is Date => d !== null);
    const lockedUntil = locks.length ? new Date(Math.max(...locks.map((d) => d.getTime()))) : null;
    const hardLocked = own.hard_locked_at !== null;
    // failures only go back to zero on a success: a lockout is the run's first when neither count had
    // passed its threshold before this attempt
    const firstLockoutOfRun = lockedUntil !== null && own.failures <= threshold && account.failures <= accountThreshold;
    return { failures: own.failures, lockedUntil, firstLockoutOfRun, hardLocked };
  }

  /** The lockout in force on the factor or the account: the longest timed one, and whether the factor is hard-locked. */
  async lockOf(userId: string, factor: string, now: Date): Promise<BudgetLock> {
    const rows = await this.sql.rows<{ locked_until: Date | null; hard: boolean }>(
      `SELECT max(locked_until) FILTER (WHERE locked_until > $3) AS locked_until, bool_or(hard_locked_at IS NOT NULL) AS hard
         FROM mfa.failure_budgets WHERE user_id = $1 AND factor IN ($2, 'account')`,
      [userId, factor, now],
    );
    return { until: rows[0]?.locked_until ?? null, hard: rows[0]?.hard === true };
  }

  /**
   * A success: the factor's and the account's consecutive failures start again from zero and their
   * lockouts end; a factor hard-locked by too many failures is released too (the user proved another
   * factor).
   */
  async reset(userId: string, factor: string, now: Date): Promise<void> {
    await this.sql.count(
      `UPDATE mfa.failure_budgets SET failures = 0, locked_until = NULL, hard_locked_at = NULL, updated_at = $3
        WHERE user_id = $1 AND (factor IN ($2, 'account') OR hard_locked_at IS NOT NULL)
          AND (failures <> 0 OR locked_until IS NOT NULL OR hard_locked_at IS NOT NULL)`,
      [userId, factor, now],
    );
  }

  /** An administrator's unlock: every factor of the user starts again from zero, with no lockout; returns the rows cleared. */
  async unlock(userId: string, now: Date): Promise<number> {
    return this.sql.count(
      `UPDATE mfa.failure_budgets SET failures = 0, locked_until = NULL, hard_locked_at = NULL, updated_at = $2
        WHERE user_id = $1 AND (failures <> 0 OR locked_until IS NOT NULL OR hard_locked_at IS NOT NULL)`,
      [userId, now],
    );
  }
}
