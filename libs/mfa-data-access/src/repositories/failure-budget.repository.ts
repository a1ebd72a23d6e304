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

/** One row of `mfa.failure_budgets` as a counting statement returns it. */
export interface BudgetRow {
  factor: string;
  failures: number;
  locked_until: Date | null;
  hard_locked_at: Date | null;
}

/** Placeholders (`$n`, with casts where needed) of a statement that counts a failure. */
export interface FailureParams {
  userId: string;
  factor: string;
  now: string;
  threshold: string;
  schedule: string;
  accountThreshold: string;
  hardLimit: string;
}

/**
 * THE lockout arithmetic (the only place it is computed), as SQL: counts one failure on the factor's
 * row and the account's row (factor `account`, shared by every factor), creating them if needed, when
 * `when` holds and neither row is locked (a locked row is left alone and not returned). Every
 * `threshold`-th consecutive failure of the factor (`accountThreshold`-th of the account) starts a
 * lockout of `schedule[n-1]` seconds for the n-th lockout (the last entry repeats); the `hardLimit`-th
 * consecutive failure of the factor locks it with no end (`hard_locked_at`). Concurrent statements are
 * serialized on the rows (always taken in the same order), so no failure is lost. Returns the counted
 * rows (both, or fewer when one was locked).
 */
export function countFailureSql(p: FailureParams, when: string): string {
  const every = `(CASE WHEN b.factor = 'account' THEN ${p.accountThreshold}::int ELSE ${p.threshold}::int END)`;
  return `INSERT INTO mfa.failure_budgets AS b (user_id, factor, failures, locked_until, updated_at)
       SELECT ${p.userId}, v.factor, 1, NULL, ${p.now} FROM (VALUES ('account'), (${p.factor})) AS v(factor)
        WHERE ${when}
       ON CONFLICT (user_id, factor) DO UPDATE
         SET failures = b.failures + 1,
             locked_until = CASE
               WHEN (b.failures + 1) % ${every} = 0
                 THEN ${p.now} + make_interval(secs => (${p.schedule}::int[])[LEAST((b.failures + 1) / ${every}, cardinality(${p.schedule}::int[]))])
               ELSE b.locked_until
             END,
             hard_locked_at = CASE WHEN b.factor <> 'account' AND b.failures + 1 >= ${p.hardLimit}::int THEN ${p.now} ELSE b.hard_locked_at END,
             updated_at = ${p.now}
         WHERE (b.locked_until IS NULL OR b.locked_until <= ${p.now}) AND b.hard_locked_at IS NULL
       RETURNING factor, failures, locked_until, hard_locked_at`;
}

/**
 * A success, as SQL: the factor's and the account's consecutive failures start again from zero and their
 * lockouts end; a factor hard-locked by too many failures is released too (the user proved another factor).
 */
export function resetBudgetsSql(p: Pick<FailureParams, 'userId' | 'factor' | 'now'>, when = 'TRUE'): string {
  return `UPDATE mfa.failure_budgets SET failures = 0, locked_until = NULL, hard_locked_at = NULL, updated_at = ${p.now}
        WHERE user_id = ${p.userId} AND (factor IN (${p.factor}, 'account') OR hard_locked_at IS NOT NULL)
          AND (failures <> 0 OR locked_until IS NOT NULL OR hard_locked_at IS NOT NULL) AND ${when}`;
}

/** What the rows a failure was counted on mean (null when a row was locked: nothing was counted). */
export function reservationOf(rows: readonly BudgetRow[], factor: string, now: Date, policy: LockoutPolicy): BudgetReservation | null {
  const own = rows.find((r) => r.factor === factor);
  const account = rows.find((r) => r.factor === 'account');
  if (!own || !account) return null;
  const lockedAt = (r: BudgetRow) => (r.locked_until && r.locked_until > now ? r.locked_until : null);
  const locks = [own, account].map(lockedAt).filter((d): d is Date => d !== null);
  const lockedUntil = locks.length ? new Date(Math.max(...locks.map((d) => d.getTime()))) : null;
  const hardLocked = own.hard_locked_at !== null;
  // failures only go back to zero on a success: a lockout is the run's first when neither count had
  // passed its threshold before this attempt
  const firstLockoutOfRun = lockedUntil !== null && own.failures <= policy.threshold && account.failures <= policy.accountThreshold;
  return { failures: own.failures, lockedUntil, firstLockoutOfRun, hardLocked };
}

/** The placeholders of {@link countFailureSql} when the policy's values are parameters `$first`…`$first+3`. */
export function policyParams(first: number): Pick<FailureParams, 'threshold' | 'schedule' | 'accountThreshold' | 'hardLimit'> {
  return { threshold: `$${first}`, schedule: `$${first + 1}`, accountThreshold: `$${first + 2}`, hardLimit: `$${first + 3}` };
}

/** The policy's values in the order {@link policyParams} names them. */
export function policyValues(policy: LockoutPolicy): unknown[] {
  return [policy.threshold, [...policy.schedule], policy.accountThreshold, policy.hardLimit];
}

export class FailureBudgetRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Counts one attempt as a failure *before* its code is evaluated (TOTP enrollment), in one atomic
   * statement ({@link countFailureSql}). Unless the factor or the account is locked (then returns null):
   * a locked factor or a locked account evaluates nothing. A success calls {@link reset}.
   */
  async reserve(userId: string, factor: string, now: Date, policy: LockoutPolicy): Promise<BudgetReservation | null> {
    const rows = await this.sql.rows<BudgetRow>(
      `WITH locked AS (
         SELECT 1 FROM mfa.failure_budgets
          WHERE user_id = $1 AND factor IN ($2, 'account') AND (locked_until > $3 OR hard_locked_at IS NOT NULL) LIMIT 1
       )
       ${countFailureSql({ userId: '$1', factor: '$2', now: '$3', ...policyParams(4) }, 'NOT EXISTS (SELECT 1 FROM locked)')}`,
      [userId, factor, now, ...policyValues(policy)],
    );
    return reservationOf(rows, factor, now, policy);
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
    await this.sql.count(resetBudgetsSql({ userId: '$1', factor: '$2', now: '$3' }), [userId, factor, now]);
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
