import { Sql } from '@twostep/persistence';
import { ChallengeEntity, ChallengeFactor, DeliveryChannelColumn, DeliveryStatusColumn } from '../entities/challenge.entity';

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

export class ChallengeRepository {
  constructor(private readonly sql: Sql) {}

  /** One challenge by id (plain SQL: this read is on every verification). */
  async find(id: string): Promise<ChallengeEntity | null> {
    const rows = await this.sql.rows(
      `SELECT id, user_id, session_id, factor, state, code_hash, attempts, created_at, expires_at, closed_at,
              delivery_channel, delivery_status, delivery_reason, delivery_updated_at
         FROM mfa.challenges WHERE id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) return null;
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

  /**
   * Inserts a challenge and, in the same statement, deletes the user's challenges that expired before
   * `purgeBefore` (closed rows are kept a while for ChallengeGet and audit). With `supersede`, every
   * other open challenge of the same user and factor is closed in the same transaction (their codes
   * stop working), under a per-user-and-factor lock so that two concurrent creations cannot both stay
   * open. Returns the challenges it closed. Without `supersede` (TOTP, recovery codes) it is a single
   * round trip: this is on the sign-in path.
   */
  async insert(c: NewChallenge, opts: { supersede: boolean; purgeBefore: Date }): Promise<ClosedChallengeRef[]> {
    const sql = `WITH purged AS (DELETE FROM mfa.challenges WHERE user_id = $2 AND expires_at < $11)
       INSERT INTO mfa.challenges (id, user_id, session_id, factor, state, code_hash, attempts, created_at, expires_at,
                                   delivery_channel, delivery_status, delivery_updated_at)
       VALUES ($1, $2, $3, $4, 'open', $5, 0, $6, $7, $8, $9, $10)`;
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
    if (!opts.supersede) {
      await this.sql.count(sql, params);
      return [];
    }
    return this.sql.transaction(async (tx) => {
      await tx.rows('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`mfa-challenge:${c.userId}:${c.factor}`]);
      const superseded = await tx.rows<{ id: string; expires_at: Date }>(
        `UPDATE mfa.challenges SET state = 'superseded', closed_at = $3
          WHERE user_id = $1 AND factor = $2 AND state = 'open'
          RETURNING id, expires_at`,
        [c.userId, c.factor, c.createdAt],
      );
      await tx.count(sql, params);
      return superseded.map((r) => ({ id: r.id, expiresAt: r.expires_at }));
    });
  }

  /**
   * Takes one attempt from an open, unexpired challenge before its code is evaluated. Returns the
   * attempts taken including this one, or null when the challenge has none left (or is not open).
   */
  async reserveAttempt(id: string, now: Date, maxAttempts: number): Promise<number | null> {
    const rows = await this.sql.rows<{ attempts: number }>(
      `UPDATE mfa.challenges SET attempts = attempts + 1
        WHERE id = $1 AND state = 'open' AND expires_at > $2 AND attempts < $3
        RETURNING attempts`,
      [id, now, maxAttempts],
    );
    return rows.length === 1 ? rows[0].attempts : null;
  }

  /** Gives back an attempt that was reserved but never evaluated (e.g. the factor turned out locked). */
  async releaseAttempt(id: string): Promise<void> {
    await this.sql.count(`UPDATE mfa.challenges SET attempts = attempts - 1 WHERE id = $1 AND state = 'open' AND attempts > 0`, [id]);
  }

  /**
   * Completes a challenge in ONE statement (no transaction round trips on the sign-in path): spends
   * what the factor spends (the TOTP step by compare-and-set, or the recovery code), consumes the
   * challenge only if that succeeded, and resets the factor's and the account's failure budgets only
   * if the challenge was consumed. Each conditional update is checked by the next, so concurrent
   * callers get at most one success; a caller that loses a race may have spent its step or code.
   */
  async complete(c: {
    id: string;
    userId: string;
    factor: string;
    now: Date;
    spend?: { kind: 'totpStep'; authenticatorId: string; step: number } | { kind: 'recoveryCode'; codeId: string };
  }): Promise<{ consumed: boolean; recoveryCodesLeft?: number }> {
    const params: unknown[] = [c.id, c.userId, c.now, c.factor];
    let spend = '';
    let spent = 'TRUE';
    let left = 'NULL::int';
    if (c.spend?.kind === 'totpStep') {
      params.push(c.spend.authenticatorId, c.spend.step);
      spend = `spent AS (
          UPDATE mfa.totp_authenticators SET last_step = $6
           WHERE user_id = $2 AND authenticator_id = $5 AND verified = true AND (last_step IS NULL OR last_step < $6)
          RETURNING 1
        ),`;
      spent = 'EXISTS (SELECT 1 FROM spent)';
    } else if (c.spend?.kind === 'recoveryCode') {
      params.push(c.spend.codeId);
      spend = `spent AS (
          UPDATE mfa.recovery_codes SET used_at = $3 WHERE id = $5 AND user_id = $2 AND used_at IS NULL
          RETURNING 1
        ),`;
      spent = 'EXISTS (SELECT 1 FROM spent)';
      // the outer query sees the rows as they were before this statement: subtract the code it spent
      left = `((SELECT count(*) FROM mfa.recovery_codes WHERE user_id = $2 AND used_at IS NULL) - (SELECT count(*) FROM spent))::int`;
    }
    const rows = await this.sql.rows<{ consumed: number; left: number | null }>(
      `WITH ${spend}
        consumed AS (
          UPDATE mfa.challenges SET state = 'consumed', closed_at = $3, attempts = GREATEST(attempts - 1, 0)
           WHERE id = $1 AND state = 'open' AND expires_at > $3 AND ${spent}
          RETURNING 1
        ),
        reset AS (
          UPDATE mfa.failure_budgets SET failures = 0, locked_until = NULL, hard_locked_at = NULL, updated_at = $3
           WHERE user_id = $2 AND (factor IN ($4, 'account') OR hard_locked_at IS NOT NULL)
             AND (failures <> 0 OR locked_until IS NOT NULL OR hard_locked_at IS NOT NULL)
             AND EXISTS (SELECT 1 FROM consumed)
        )
       SELECT (SELECT count(*) FROM consumed)::int AS consumed, ${left} AS left`,
      params,
    );
    const consumed = rows[0]?.consumed === 1;
    return consumed && rows[0].left !== null ? { consumed, recoveryCodesLeft: rows[0].left } : { consumed };
  }

  /** Closes the challenge as exhausted once all its attempts were spent on wrong codes. */
  async exhaustIfSpent(id: string, now: Date, maxAttempts: number): Promise<boolean> {
    const count = await this.sql.count(
      `UPDATE mfa.challenges SET state = 'exhausted', closed_at = $2 WHERE id = $1 AND state = 'open' AND attempts >= $3`,
      [id, now, maxAttempts],
    );
    return count === 1;
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
