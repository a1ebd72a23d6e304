import { Sql, SqlRunner } from '@twostep/persistence';
import { ChallengeEntity, ChallengeFactor, DeliveryChannelColumn, DeliveryStatusColumn } from '../entities/challenge.entity';
import { TotpAuthenticatorEntity } from '../entities/totp-authenticator.entity';
import {
  BudgetLock,
  BudgetReservation,
  BudgetRow,
  countFailureSql,
  LockoutPolicy,
  policyParams,
  policyValues,
  reservationOf,
  resetBudgetsSql,
} from './failure-budget.repository';
import { rowToAuthenticator } from './totp-authenticator.repository';

export interface NewChallenge {
  id: string;
  userId: string;
  sessionId: string;
  factor: ChallengeFactor;
  codeHash: string | null;
  createdAt: Date;
  expiresAt: Date;
  deliveryChannel: DeliveryChannelColumn | null;
}

/** A challenge that was closed as a side effect (superseded, purged); the caller tells the notifier. */
export interface ClosedChallengeRef {
  id: string;
  expiresAt: Date;
}

/** An unused recovery code of the user, as a verification compares it. */
export interface UnusedRecoveryCode {
  id: string;
  codeHash: string;
  enrolledSessionId: string | null;
}

/** Everything one verification needs, read in one statement. */
export interface VerificationContext {
  challenge: ChallengeEntity;
  /** the failure budget of the challenge's factor and of the account, as read */
  lock: BudgetLock;
  /** TOTP challenges: the user's authenticator (null when there is none) */
  authenticator: TotpAuthenticatorEntity | null;
  /** recovery-code challenges: the user's unused codes, in order */
  recoveryCodes: UnusedRecoveryCode[];
}

/** What a verification attempt spends when its code is right. */
export type Spend = { kind: 'totpStep'; authenticatorId: string; step: number } | { kind: 'recoveryCode'; codeId: string };

/** The outcome of {@link ChallengeRepository.attempt}. */
export type AttemptResult =
  /** the challenge is not open, expired, or has no attempt left: nothing was counted */
  | { kind: 'closed' }
  /** the factor or the account is locked: nothing was counted (`lock` as seen, empty if it appeared meanwhile) */
  | { kind: 'locked'; lock: BudgetLock }
  /** the code was right and was spent: the challenge is consumed, the budgets reset */
  | { kind: 'consumed'; recoveryCodesLeft?: number }
  /**
   * the attempt counted as a failure (a wrong code, or a right one whose step or code another request
   * spent first); `exhausted` when it was the challenge's last attempt
   */
  | { kind: 'failed'; reservation: BudgetReservation; exhausted: boolean };

const CHALLENGE_COLUMNS = `c.id, c.user_id, c.session_id, c.factor, c.state, c.code_hash, c.attempts, c.created_at, c.expires_at, c.closed_at,
              c.delivery_channel, c.delivery_status, c.delivery_reason, c.delivery_updated_at`;

function rowToChallenge(r: Record<string, unknown>): ChallengeEntity {
  return Object.assign(new ChallengeEntity(), {
    id: r.id,
    userId: r.user_id,
    sessionId: r.session_id,
    factor: r.factor,
    state: r.state,
    codeHash: r.code_hash,
    attempts: Number(r.attempts),
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    closedAt: r.closed_at,
    deliveryChannel: r.delivery_channel,
    deliveryStatus: r.delivery_status,
    deliveryReason: r.delivery_reason,
    deliveryUpdatedAt: r.delivery_updated_at,
  } as ChallengeEntity);
}

/** SQLSTATE unique_violation on the index that keeps one open email/phone challenge per user and factor. */
function isOpenCodeConflict(error: unknown): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && e.constraint === 'challenges_one_open_code_idx';
}

export class ChallengeRepository {
  constructor(private readonly sql: Sql) {}

  /** One challenge by id. */
  async find(id: string): Promise<ChallengeEntity | null> {
    const rows = await this.sql.rows(`SELECT ${CHALLENGE_COLUMNS} FROM mfa.challenges c WHERE c.id = $1`, [id]);
    return rows[0] ? rowToChallenge(rows[0]) : null;
  }

  /**
   * Inserts a challenge in ONE statement, which also deletes the user's challenges that expired before
   * `purgeBefore` (closed rows are kept a while for ChallengeGet and audit). With `supersede` (email,
   * phone), the same statement closes every other open challenge of the user and factor (their codes
   * stop working) and returns them. A unique index keeps at most one of those open: when creations
   * race, the later inserts conflict and run again one after the other (each supersedes the one before).
   */
  async insert(c: NewChallenge, opts: { supersede: boolean; purgeBefore: Date }): Promise<ClosedChallengeRef[]> {
    const params = [
      c.id,
      c.userId,
      c.sessionId,
      c.factor,
      c.codeHash,
      c.createdAt,
      c.expiresAt,
      c.deliveryChannel,
      c.deliveryChannel ? 'queued' : null,
      c.deliveryChannel ? c.createdAt : null,
      opts.purgeBefore,
    ];
    const insert = `INSERT INTO mfa.challenges (id, user_id, session_id, factor, state, code_hash, attempts, created_at, expires_at,
                                   delivery_channel, delivery_status, delivery_updated_at)`;
    if (!opts.supersede) {
      await this.sql.count(
        `WITH purged AS (DELETE FROM mfa.challenges WHERE user_id = $2 AND expires_at < $11)
         ${insert} VALUES ($1, $2, $3, $4, 'open', $5, 0, $6, $7, $8, $9, $10)`,
        params,
      );
      return [];
    }
    // the insert reads the other CTEs, so the purge and the supersede are done before it checks the index
    const text = `WITH purged AS (DELETE FROM mfa.challenges WHERE user_id = $2 AND expires_at < $11 RETURNING 1),
        superseded AS (
          UPDATE mfa.challenges SET state = 'superseded', closed_at = $6
           WHERE user_id = $2 AND factor = $4 AND state = 'open' AND expires_at >= $11
          RETURNING id, expires_at
        ),
        inserted AS (
          ${insert}
          SELECT $1, $2, $3, $4, 'open', $5, 0, $6, $7, $8, $9, $10
           WHERE (SELECT count(*) FROM superseded) + (SELECT count(*) FROM purged) >= 0
        )
       SELECT id, expires_at FROM superseded`;
    const run = async (db: SqlRunner) =>
      (await db.rows<{ id: string; expires_at: Date }>(text, params)).map((r) => ({ id: r.id, expiresAt: r.expires_at }));
    try {
      return await run(this.sql);
    } catch (error) {
      if (!isOpenCodeConflict(error)) throw error;
    }
    // Lost a race with another creation for this user and factor (it committed first): again, now
    // serialized with the other losers by a lock, so each run sees the previous one's row and supersedes it.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.sql.transaction(async (tx) => {
          await tx.rows('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`mfa-challenge:${c.userId}:${c.factor}`]);
          return run(tx);
        });
      } catch (error) {
        if (attempt >= 5 || !isOpenCodeConflict(error)) throw error;
      }
    }
  }

  /**
   * The read of a verification, in ONE statement: the user's challenge `id` (null when there is none),
   * the lockout state of its factor and of the account, and what the factor's code is checked against
   * (the TOTP authenticator, or the unused recovery codes).
   */
  async loadForVerification(id: string, userId: string, now: Date): Promise<VerificationContext | null> {
    const rows = await this.sql.rows(
      `SELECT ${CHALLENGE_COLUMNS},
              (SELECT max(b.locked_until) FILTER (WHERE b.locked_until > $3) FROM mfa.failure_budgets b
                WHERE b.user_id = c.user_id AND b.factor IN (c.factor, 'account')) AS lock_until,
              (SELECT COALESCE(bool_or(b.hard_locked_at IS NOT NULL), false) FROM mfa.failure_budgets b
                WHERE b.user_id = c.user_id AND b.factor IN (c.factor, 'account')) AS lock_hard,
              t.user_id AS t_user_id, t.authenticator_id AS t_authenticator_id, t.secret_encrypted AS t_secret_encrypted,
              t.verified AS t_verified, t.last_step AS t_last_step, t.created_at AS t_created_at, t.verified_at AS t_verified_at,
              t.enrolled_session_id AS t_enrolled_session_id,
              CASE WHEN c.factor = 'recoveryCode' THEN
                (SELECT COALESCE(json_agg(json_build_object('id', r.id, 'codeHash', r.code_hash, 'enrolledSessionId', r.enrolled_session_id)
                                          ORDER BY r.position), '[]'::json)
                   FROM mfa.recovery_codes r WHERE r.user_id = c.user_id AND r.used_at IS NULL)
              END AS recovery_codes
         FROM mfa.challenges c
         LEFT JOIN mfa.totp_authenticators t ON c.factor = 'totp' AND t.user_id = c.user_id
        WHERE c.id = $1 AND c.user_id = $2`,
      [id, userId, now],
      'mfa_challenge_for_verification',
    );
    const r = rows[0];
    if (!r) return null;
    return {
      challenge: rowToChallenge(r),
      lock: { until: (r.lock_until as Date | null) ?? null, hard: r.lock_hard === true },
      authenticator: r.t_user_id ? rowToAuthenticator(r, 't_') : null,
      recoveryCodes: (r.recovery_codes as UnusedRecoveryCode[] | null) ?? [],
    };
  }

  /**
   * The write of a verification, in ONE conditional statement, after the code was checked against what
   * {@link loadForVerification} read (`right`). It locks the challenge row and takes effect only if the
   * challenge is open, unexpired and has an attempt left, and neither the factor nor the account is
   * locked. Then, for a right code, it spends what the factor spends (the TOTP step by compare-and-set,
   * or the recovery code), consumes the challenge only if that succeeded, and resets the factor's and
   * the account's failure budgets; otherwise (a wrong code, or a step or code another request spent
   * first) it counts one failure on the budgets ({@link countFailureSql}) and one attempt on the
   * challenge, closing it as exhausted at the last one. Concurrent attempts on one challenge are
   * serialized on its row, so at most `maxAttempts` are ever counted and at most one consumes it.
   */
  async attempt(a: {
    id: string;
    userId: string;
    factor: string;
    now: Date;
    maxAttempts: number;
    policy: LockoutPolicy;
    right: boolean;
    spend?: Spend;
  }): Promise<AttemptResult> {
    const params: unknown[] = [a.id, a.userId, a.now, a.factor, a.maxAttempts, a.right, ...policyValues(a.policy)];
    let spend = '';
    let spent = '$6::boolean';
    let left = 'NULL::int';
    if (a.spend?.kind === 'totpStep') {
      params.push(a.spend.authenticatorId, a.spend.step);
      spend = `spent AS (
          UPDATE mfa.totp_authenticators SET last_step = $12
           WHERE user_id = $2 AND authenticator_id = $11 AND verified = true AND (last_step IS NULL OR last_step < $12)
             AND $6 AND (SELECT go FROM gate)
          RETURNING 1
        ),`;
      spent = '$6 AND EXISTS (SELECT 1 FROM spent)';
    } else if (a.spend?.kind === 'recoveryCode') {
      params.push(a.spend.codeId);
      spend = `spent AS (
          UPDATE mfa.recovery_codes SET used_at = $3
           WHERE id = $11 AND user_id = $2 AND used_at IS NULL AND $6 AND (SELECT go FROM gate)
          RETURNING 1
        ),`;
      spent = '$6 AND EXISTS (SELECT 1 FROM spent)';
      // the outer query sees the rows as they were before this statement: subtract the code it spent
      left = `((SELECT count(*) FROM mfa.recovery_codes WHERE user_id = $2 AND used_at IS NULL) - (SELECT count(*) FROM spent))::int`;
    }
    const rows = await this.sql.rows<{
      open: boolean;
      go: boolean;
      state: string | null;
      lock_until: Date | null;
      lock_hard: boolean | null;
      counted: BudgetRow[] | null;
      left: number | null;
    }>(
      `WITH ch AS MATERIALIZED (
          SELECT attempts FROM mfa.challenges
           WHERE id = $1 AND user_id = $2 AND state = 'open' AND expires_at > $3 AND attempts < $5
          FOR UPDATE
        ),
        budget AS MATERIALIZED (
          SELECT factor, locked_until, hard_locked_at FROM mfa.failure_budgets
           WHERE user_id = $2 AND factor IN ($4, 'account') AND EXISTS (SELECT 1 FROM ch)
           ORDER BY factor
          FOR UPDATE
        ),
        gate AS MATERIALIZED (
          SELECT EXISTS (SELECT 1 FROM ch) AS open,
                 EXISTS (SELECT 1 FROM ch)
                   AND NOT EXISTS (SELECT 1 FROM budget WHERE locked_until > $3 OR hard_locked_at IS NOT NULL) AS go
        ),
        ${spend}
        outcome AS MATERIALIZED (
          SELECT (SELECT go FROM gate) AND ${spent} AS ok
        ),
        counted AS (
          ${countFailureSql({ userId: '$2', factor: '$4', now: '$3', ...policyParams(7) }, '(SELECT go FROM gate) AND NOT (SELECT ok FROM outcome)')}
        ),
        reset AS (
          ${resetBudgetsSql({ userId: '$2', factor: '$4', now: '$3' }, '(SELECT ok FROM outcome)')}
        ),
        challenge AS (
          UPDATE mfa.challenges
             SET state = CASE WHEN (SELECT ok FROM outcome) THEN 'consumed' WHEN attempts + 1 >= $5 THEN 'exhausted' ELSE state END,
                 closed_at = CASE WHEN (SELECT ok FROM outcome) OR attempts + 1 >= $5 THEN $3 ELSE closed_at END,
                 attempts = CASE WHEN (SELECT ok FROM outcome) THEN attempts ELSE attempts + 1 END
           WHERE id = $1 AND EXISTS (SELECT 1 FROM ch)
             AND ((SELECT ok FROM outcome) OR (SELECT count(*) FROM counted) = 2)
          RETURNING state
        )
       SELECT (SELECT open FROM gate) AS open, (SELECT go FROM gate) AS go, (SELECT state FROM challenge) AS state,
              (SELECT max(locked_until) FILTER (WHERE locked_until > $3) FROM budget) AS lock_until,
              (SELECT bool_or(hard_locked_at IS NOT NULL) FROM budget) AS lock_hard,
              (SELECT json_agg(counted) FROM counted) AS counted,
              CASE WHEN (SELECT ok FROM outcome) THEN ${left} END AS left`,
      params,
    );
    const r = rows[0];
    if (!r.open) return { kind: 'closed' };
    const lock = { until: r.lock_until, hard: r.lock_hard === true };
    if (r.state === 'consumed') return r.left === null ? { kind: 'consumed' } : { kind: 'consumed', recoveryCodesLeft: r.left };
    // json_agg turns timestamps into ISO strings
    const counted = (r.counted ?? []).map((b) => ({
      ...b,
      locked_until: b.locked_until ? new Date(b.locked_until) : null,
      hard_locked_at: b.hard_locked_at ? new Date(b.hard_locked_at) : null,
    }));
    const reservation = r.state ? reservationOf(counted, a.factor, a.now, a.policy) : null;
    if (!reservation) return { kind: 'locked', lock };
    return { kind: 'failed', reservation, exhausted: r.state === 'exhausted' };
  }

  /** The delivery job could not be enqueued: the challenge is closed and says why. */
  async markDeliveryFailed(id: string, now: Date, reason: string): Promise<void> {
    await this.sql.count(
      `UPDATE mfa.challenges
          SET state = CASE WHEN state = 'open' THEN 'delivery_failed' ELSE state END,
              closed_at = COALESCE(closed_at, $2),
              delivery_status = 'failed', delivery_reason = $3, delivery_updated_at = $2
        WHERE id = $1`,
      [id, now, reason],
    );
  }

  /**
   * Records what the notifier reported. Idempotent: the same report twice changes nothing, a report
   * older than the one recorded is ignored, and a final outcome always replaces `queued`.
   */
  async recordDeliveryResult(r: { id: string; status: DeliveryStatusColumn; reason: string | null; at: Date }): Promise<boolean> {
    const count = await this.sql.count(
      `UPDATE mfa.challenges
          SET delivery_status = $2, delivery_reason = $3, delivery_updated_at = $4
        WHERE id = $1 AND delivery_channel IS NOT NULL
          AND (delivery_status = 'queued' OR delivery_updated_at IS NULL OR delivery_updated_at <= $4)`,
      [r.id, r.status, r.reason, r.at],
    );
    return count === 1;
  }
}
