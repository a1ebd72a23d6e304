import { Injectable } from '@nestjs/common';
import { SessionClientInfo, SessionEntity, UserEntity } from '@twostep/auth-data-access';
import { Sql } from '@twostep/persistence';
import { rowToUser } from '../users/users.repository';

const SESSION_COLUMNS = `s.id, s.user_id, s.secret_hash, s.provider, s.provider_uid, s.factors, s.mfa_updated_at, s.mfa_factor, s.step_up_at, s.enrolled_factors, s.expire,
  s.last_active_at, s.ip, s.client, s.created_at, s.updated_at`;

const USER_COLUMNS = `u.id AS u_id, u.email AS u_email, u.phone AS u_phone, u.name AS u_name, u.password_hash AS u_password_hash,
  u.password_updated_at AS u_password_updated_at, u.email_verification AS u_email_verification,
  u.phone_verification AS u_phone_verification, u.mfa AS u_mfa, u.status AS u_status, u.labels AS u_labels,
  u.prefs AS u_prefs, u.email_target_id AS u_email_target_id, u.phone_target_id AS u_phone_target_id,
  u.created_at AS u_created_at, u.updated_at AS u_updated_at, u.accessed_at AS u_accessed_at`;

export function rowToSession(row: Record<string, unknown>): SessionEntity {
  const s = new SessionEntity();
  s.id = row.id as string;
  s.userId = row.user_id as string;
  s.secretHash = row.secret_hash as string;
  s.provider = row.provider as string;
  s.providerUid = (row.provider_uid as string) ?? '';
  s.factors = (row.factors as string[]) ?? [];
  s.mfaUpdatedAt = (row.mfa_updated_at as Date | null) ?? null;
  s.mfaFactor = (row.mfa_factor as string | null) ?? null;
  s.stepUpAt = (row.step_up_at as Date | null) ?? null;
  s.enrolledFactors = (row.enrolled_factors as string[]) ?? [];
  s.expire = row.expire as Date;
  s.lastActiveAt = row.last_active_at as Date;
  s.ip = (row.ip as string) ?? '';
  s.client = (row.client as SessionClientInfo) ?? {};
  s.createdAt = row.created_at as Date;
  s.updatedAt = row.updated_at as Date;
  return s;
}

/**
 * The `sessions` table, in plain SQL: the lookup by secret hash is the hottest query of the service
 * (one indexed join per authenticated request).
 */
@Injectable()
export class SessionsRepository {
  constructor(private readonly db: Sql) {}

  async insert(s: SessionEntity): Promise<void> {
    await this.db.rows(
      `INSERT INTO sessions (id, user_id, secret_hash, provider, provider_uid, factors, mfa_updated_at, expire, last_active_at, ip, client, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        s.id,
        s.userId,
        s.secretHash,
        s.provider,
        s.providerUid,
        s.factors,
        s.mfaUpdatedAt,
        s.expire,
        s.lastActiveAt,
        s.ip,
        JSON.stringify(s.client),
        s.createdAt,
        s.updatedAt,
      ],
    );
  }

  /** The session with this secret hash and its user, in one indexed query. */
  async findWithUserBySecretHash(secretHash: string): Promise<{ session: SessionEntity; user: UserEntity } | undefined> {
    const rows: Record<string, unknown>[] = await this.db.rows(
      `SELECT ${SESSION_COLUMNS}, ${USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.secret_hash = $1`,
      [secretHash],
      'auth_session_by_secret',
    );
    const row = rows[0];
    return row ? { session: rowToSession(row), user: rowToUser(row, 'u_') } : undefined;
  }

  /** The session with this id and its user, in one indexed query (a JWT names its session). */
  async findWithUserById(sessionId: string): Promise<{ session: SessionEntity; user: UserEntity } | undefined> {
    const rows: Record<string, unknown>[] = await this.db.rows(
      `SELECT ${SESSION_COLUMNS}, ${USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1`,
      [sessionId],
      'auth_session_by_id',
    );
    const row = rows[0];
    return row ? { session: rowToSession(row), user: rowToUser(row, 'u_') } : undefined;
  }

  /** The user's sessions still valid at `now` (absolute expiry and idle cut-off), oldest first. */
  async listActive(userId: string, now: Date, idleSince: Date | undefined): Promise<SessionEntity[]> {
    const rows: Record<string, unknown>[] = await this.db.rows(
      `SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.user_id = $1 AND s.expire > $2 AND ($3::timestamptz IS NULL OR s.last_active_at > $3)
       ORDER BY s.created_at ASC, s.id ASC`,
      [userId, now, idleSince ?? null],
    );
    return rows.map(rowToSession);
  }

  async findActive(userId: string, sessionId: string, now: Date, idleSince: Date | undefined): Promise<SessionEntity | undefined> {
    const rows: Record<string, unknown>[] = await this.db.rows(
      `SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.user_id = $1 AND s.id = $2 AND s.expire > $3 AND ($4::timestamptz IS NULL OR s.last_active_at > $4)`,
      [userId, sessionId, now, idleSince ?? null],
    );
    return rows[0] ? rowToSession(rows[0]) : undefined;
  }

  async findById(sessionId: string): Promise<SessionEntity | undefined> {
    const rows: Record<string, unknown>[] = await this.db.rows(`SELECT ${SESSION_COLUMNS} FROM sessions s WHERE s.id = $1`, [sessionId]);
    return rows[0] ? rowToSession(rows[0]) : undefined;
  }

  /** Deletes one session of the user; false if there was none. */
  async delete(userId: string, sessionId: string): Promise<boolean> {
    const rows: unknown[] = await this.db.rows(`DELETE FROM sessions WHERE user_id = $1 AND id = $2 RETURNING id`, [userId, sessionId]);
    return rows.length > 0;
  }

  /** Deletes the user's sessions (all, or all but `keepId`); returns the ids deleted. */
  async deleteAll(userId: string, keepId?: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.rows(
      `DELETE FROM sessions WHERE user_id = $1 AND ($2::varchar IS NULL OR id <> $2) RETURNING id`,
      [userId, keepId ?? null],
    );
    return rows.map((r) => r.id);
  }

  /** Keeps the newest `max` sessions of the user and deletes expired ones. */
  async prune(userId: string, max: number, now: Date): Promise<void> {
    await this.db.rows(
      `DELETE FROM sessions WHERE user_id = $1 AND (expire <= $3 OR id IN (
         SELECT id FROM sessions WHERE user_id = $1 ORDER BY created_at DESC, id DESC OFFSET $2))`,
      [userId, max, now],
    );
  }

  async setExpire(sessionId: string, expire: Date, now: Date): Promise<SessionEntity | undefined> {
    const rows: Record<string, unknown>[] = await this.db.rows(
      `UPDATE sessions s SET expire = $2, last_active_at = $3, updated_at = $3 WHERE s.id = $1 RETURNING ${SESSION_COLUMNS}`,
      [sessionId, expire, now],
    );
    return rows[0] ? rowToSession(rows[0]) : undefined;
  }

  /**
   * Appends factors the session does not have yet (order kept, no duplicates) in one atomic update;
   * with `challenge`, also records a completed challenge: `mfa_updated_at` and `mfa_factor`, and
   * `step_up_at` when it counts as a step-up.
   */
  async addFactors(
    sessionId: string,
    factors: string[],
    challenge: { at: Date; factor: string; stepUp: boolean } | undefined,
    now: Date,
  ): Promise<SessionEntity | undefined> {
    const rows: Record<string, unknown>[] = await this.db.rows(
      `UPDATE sessions s SET
         factors = s.factors || ARRAY(SELECT f FROM unnest($2::text[]) WITH ORDINALITY AS t(f, n) WHERE NOT (f = ANY (s.factors)) ORDER BY n),
         mfa_updated_at = COALESCE($3, s.mfa_updated_at),
         mfa_factor = COALESCE($4, s.mfa_factor),
         step_up_at = CASE WHEN $5::boolean THEN $3 ELSE s.step_up_at END,
         updated_at = $6
       WHERE s.id = $1 RETURNING ${SESSION_COLUMNS}`,
      [sessionId, factors, challenge?.at ?? null, challenge?.factor ?? null, challenge?.stepUp ?? false, now],
    );
    return rows[0] ? rowToSession(rows[0]) : undefined;
  }

  /** Records that this session set the address of `factor` (`email`, `phone`). */
  async markEnrolled(sessionId: string, factor: string): Promise<void> {
    await this.db.rows(
      `UPDATE sessions SET enrolled_factors = array_append(enrolled_factors, $2::text) WHERE id = $1 AND NOT ($2::text = ANY (enrolled_factors))`,
      [sessionId, factor],
    );
  }

  /**
   * Records activity for the idle timeout, in one statement: the session's `last_active_at` only when it
   * is older than `activeBefore` (so concurrent requests, on any replica, write it at most once per
   * interval), and the user's `accessed_at` only when it is older than `accessedBefore`.
   */
  async touch(sessionId: string, userId: string, now: Date, activeBefore: Date, accessedBefore: Date): Promise<void> {
    await this.db.rows(
      `WITH touched AS (UPDATE sessions SET last_active_at = $2 WHERE id = $1 AND last_active_at <= $5)
       UPDATE users SET accessed_at = $2 WHERE id = $3 AND (accessed_at IS NULL OR accessed_at < $4)`,
      [sessionId, now, userId, accessedBefore, activeBefore],
      'auth_session_touch',
    );
  }
}
